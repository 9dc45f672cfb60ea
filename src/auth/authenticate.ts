import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAuthorization } from '../platform/auth-header.ts';
import { ApiError } from '../platform/errors.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { Identity } from './identity.ts';
import { HubSessionCache } from './hub-session-cache.ts';
import type { ConsoleSessions } from './console-sessions.ts';
import { consoleSessionOf } from './console-session-auth.ts';

/**
 * How a route authenticates:
 * - `platform`: `User` + `Organization` required (an extra `Element` part is kept for routes that
 *   need a current instance, and otherwise ignored, as clients send it everywhere);
 * - `optional`: catalog reads; no header is fine, but a header that is present must be valid;
 * - `hub`: `User` + `Element` required, `Organization` optional (hub resource calls);
 * - `none`: the route handles credentials itself (console login, vendor webhooks).
 *
 * The web console's own calls may authenticate by its session cookie instead of the `User` and
 * `Organization` secrets (`consoleSessionOf` says which calls qualify); a hub call then sends
 * only `Element <token>`. The session's expiry and sign-out thus end the console's access.
 */
export type AuthMode = 'platform' | 'optional' | 'none' | 'hub';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    identity: Identity | null;
    /** Hash of the Authorization header of a hub call, for the hub session cache. */
    hubCacheKey: string | null;
  }
}

export interface AuthenticationDeps {
  tenancy: TenancyService;
  hubCache?: HubSessionCache<unknown>;
  /** Absent when the console login is switched off. */
  sessions?: ConsoleSessions;
}

export function registerAuthentication(app: FastifyInstance, { tenancy, hubCache, sessions }: AuthenticationDeps): void {
  app.decorateRequest('identity', null);
  app.decorateRequest('hubCacheKey', null);
  // onRequest, before the body is read: an unauthenticated caller never gets a body parsed.
  // Callback-style, so a hub call found in the cache costs no promise.
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    if (request.is404) return done();
    const mode: AuthMode = request.routeOptions.config.auth ?? 'platform';
    if (mode === 'none') return done();
    const header = request.headers.authorization;
    const session = sessions ? consoleSessionOf(request) : undefined;
    if (session !== undefined && sessions) {
      sessionIdentity(tenancy, sessions, session, mode, header).then((identity) => {
        request.identity = identity;
        done();
      }, done);
      return;
    }
    if (mode === 'optional' && header === undefined) return done();
    if (mode === 'hub' && header !== undefined && hubCache) {
      const key = HubSessionCache.keyOf(request.raw, header);
      request.hubCacheKey = key;
      const hit = hubCache.get(key);
      if (hit) {
        request.identity = hit.identity;
        return done();
      }
    }
    resolveIdentity(tenancy, mode, header).then((identity) => {
      request.identity = identity;
      done();
    }, done);
  });
}

async function resolveIdentity(tenancy: TenancyService, mode: AuthMode, header: string | undefined): Promise<Identity> {
  const parts = parseAuthorization(header);
  if (header === undefined) throw new ApiError('UNAUTHORIZED', 'The Authorization header is required: "User <secret>, Organization <secret>"');
  return mode === 'hub' ? tenancy.authenticateHub(parts) : tenancy.authenticate(parts);
}

/**
 * The signed-in console user, with the instance token of an `Element <token>` header. Secrets in
 * the header win over the session: they are what the caller chose to send.
 */
async function sessionIdentity(
  tenancy: TenancyService,
  sessions: ConsoleSessions,
  session: string,
  mode: AuthMode,
  header: string | undefined,
): Promise<Identity> {
  const parts = parseAuthorization(header);
  if (parts.user !== undefined) return resolveIdentity(tenancy, mode, header);
  const user = await sessions.find(session);
  if (!user) throw new ApiError('CONSOLE_SESSION_ENDED');
  if (mode === 'hub' && parts.element === undefined) throw new ApiError('UNAUTHORIZED', 'Hub calls need "Element <token>" in the Authorization header');
  return tenancy.identityOf(user, parts.element);
}

/** The identity of an authenticated route; only called where `auth` is `platform`. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new ApiError('UNAUTHORIZED');
  return request.identity;
}

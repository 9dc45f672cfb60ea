import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAuthorization } from '../platform/auth-header.ts';
import { ApiError } from '../platform/errors.ts';
import type { TenancyService } from '../tenancy/tenancy-service.ts';
import type { Identity } from './identity.ts';
import { HubSessionCache } from './hub-session-cache.ts';

/**
 * How a route authenticates:
 * - `platform`: `User` + `Organization` required (an extra `Element` part is kept for routes that
 *   need a current instance, and otherwise ignored, as clients send it everywhere);
 * - `optional`: catalog reads; no header is fine, but a header that is present must be valid;
 * - `hub`: `User` + `Element` required, `Organization` optional (hub resource calls);
 * - `none`: the route handles credentials itself (console login, vendor webhooks).
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

export function registerAuthentication(app: FastifyInstance, tenancy: TenancyService, hubCache?: HubSessionCache<unknown>): void {
  app.decorateRequest('identity', null);
  app.decorateRequest('hubCacheKey', null);
  // onRequest, before the body is read: an unauthenticated caller never gets a body parsed.
  // Callback-style, so a hub call found in the cache costs no promise.
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    if (request.is404) return done();
    const mode: AuthMode = request.routeOptions.config.auth ?? 'platform';
    if (mode === 'none') return done();
    const header = request.headers.authorization;
    if (mode === 'optional' && header === undefined) return done();
    if (mode === 'hub' && header !== undefined && hubCache) {
      const key = HubSessionCache.key(header);
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

/** The identity of an authenticated route; only called where `auth` is `platform`. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new ApiError('UNAUTHORIZED');
  return request.identity;
}

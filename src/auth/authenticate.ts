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
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.is404) return;
    const mode: AuthMode = request.routeOptions.config.auth ?? 'platform';
    if (mode === 'none') return;
    const header = request.headers.authorization;
    if (mode === 'optional' && header === undefined) return;
    if (mode === 'hub' && header !== undefined && hubCache) {
      const key = HubSessionCache.key(header);
      request.hubCacheKey = key;
      const hit = hubCache.get(key);
      if (hit) {
        request.identity = hit.identity;
        return;
      }
    }
    const parts = parseAuthorization(header);
    if (header === undefined) throw new ApiError('UNAUTHORIZED', 'The Authorization header is required: "User <secret>, Organization <secret>"');
    request.identity = mode === 'hub' ? await tenancy.authenticateHub(parts) : await tenancy.authenticate(parts);
  });
}

/** The identity of an authenticated route; only called where `auth` is `platform`. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new ApiError('UNAUTHORIZED');
  return request.identity;
}

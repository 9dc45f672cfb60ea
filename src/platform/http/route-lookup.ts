import FindMyWay from 'find-my-way';
import type { RegisteredRoute } from './api-document.ts';

/** How the server's router reads paths; the lookup below reads them the same way. */
export const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 500 } as const;

/**
 * How the route that would serve `METHOD path` authenticates (its `config.auth`, `platform` when
 * it does not say), or undefined when no route would serve it: a call that is stored to be made
 * later (a scheduled job) is checked when it is made, not when it first runs.
 */
export type RouteAuthLookup = (method: string, path: string) => string | undefined;

/**
 * A lookup over the server's routes. Built at its first use, once every route is registered (a
 * Fastify server takes no route after it is ready).
 */
export function routeAuthLookup(routes: readonly RegisteredRoute[]): RouteAuthLookup {
  let router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1> | undefined;
  return (method, path) => {
    if (!router) {
      router = FindMyWay(ROUTER_OPTIONS);
      for (const route of routes) router.on(route.method as FindMyWay.HTTPMethod, route.url, () => undefined, { auth: route.auth ?? 'platform' });
    }
    return (router.find(method as FindMyWay.HTTPMethod, path)?.store as { auth: string } | undefined)?.auth;
  };
}

import type { FastifyInstance } from 'fastify';
import findMyWay from 'find-my-way';
import { ApiError } from '../errors.ts';
import { sendError } from './error-handler.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Unknown paths answer 404 and known paths with the wrong method 405 (with `Allow`). Fastify
 * answers 404 for both, so every route is mirrored into a second router that only knows paths.
 */
export function registerNotFound(app: FastifyInstance): void {
  const paths = findMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      if (paths.hasRoute(method as 'GET', route.url)) continue;
      paths.on(method as 'GET', route.url, () => undefined);
    }
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((m) => paths.find(m, path) !== null);
    if (allowed.length > 0) {
      return sendError(
        request,
        reply,
        new ApiError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, {
          headers: { Allow: allowed.join(', ') },
        }),
      );
    }
    return sendError(request, reply, new ApiError('ROUTE_NOT_FOUND', `No resource at ${request.method} ${path}`));
  });
}

import type { FastifyInstance } from 'fastify';

/** The headers Open Connectors exposes to browsers (open-connectors-api.md §5.1), and `Elements-Cache`, on every route. */
export const EXPOSED_HEADERS = [
  'Elements-Returned-Count',
  'Elements-Total-Count',
  'Elements-Request-Id',
  'Elements-Next-Page-Token',
  'Elements-Trace-Id',
  'Elements-Error',
  'Elements-Cache',
  'Content-Disposition',
].join(', ');

/**
 * CORS for browser clients of the API. Credentials travel in the `Authorization` header, not in
 * cookies, so any origin may call; preflight requests are answered 200 before routing.
 */
export function registerCors(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) return done();
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      reply.header('Access-Control-Allow-Headers', request.headers['access-control-request-headers'] ?? 'Authorization, Content-Type');
      reply.header('Access-Control-Max-Age', '600');
      // Answered here: `done` is not called, so routing never runs.
      reply.code(200).send();
      return;
    }
    done();
  });
}

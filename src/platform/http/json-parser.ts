import type { FastifyInstance } from 'fastify';

/**
 * Fastify's JSON parser (with prototype-poisoning protection), except that an empty body is
 * accepted as "no body": Open Connectors clients send `DELETE` with `Content-Type:
 * application/json` and nothing (or the literal `null`) after it.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(request, body as string, done);
  });
}

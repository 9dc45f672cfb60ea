import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { maskSecretQuery, REDACTED } from '../secret-names.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The URL carries a secret (webhook intake): the access log shows the route pattern instead. */
    secretInPath?: boolean;
  }
  interface FastifyRequest {
    /** What the access log shows instead of `url`. */
    accessLogUrl: string | null;
  }
}

/**
 * Fastify's request logging, reduced to one access line per request when its answer has gone
 * out, at `info` (`error` when the response itself failed). Fastify's "incoming request" line is
 * dropped: half the log volume on the hub's hot path. The URL never shows a secret path segment.
 * Fastify's other lines (stream errors and the like) are kept.
 *
 * `recordedElsewhere` names the calls that another record already covers (a usage record, which
 * holds every field of the line): those get a line only when their answer failed.
 */
export class AccessLogController extends LogController {
  // The line holds only the fields below, none of them a secret, so it skips redaction, which
  // would cost more than the rest of the line.
  readonly #access: Logger;
  readonly #recordedElsewhere: ((request: FastifyRequest) => boolean) | undefined;

  constructor(logger: Logger, recordedElsewhere?: (request: FastifyRequest) => boolean) {
    super();
    this.#access = logger.child({}, { redact: [] });
    this.#recordedElsewhere = recordedElsewhere;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const recordedElsewhere = this.#recordedElsewhere?.(request) ?? false;
    this.completed(request.id, request.method, request.accessLogUrl ?? request.url, reply.statusCode, reply.elapsedTime, error, recordedElsewhere);
  }

  /**
   * The access line of a request, also of one answered outside Fastify; none for a call another
   * record covers, unless its answer failed.
   */
  completed(reqId: string, method: string, url: string, statusCode: number, elapsedMs: number, error?: Error | null, recordedElsewhere = false): void {
    if (recordedElsewhere && !error) return;
    const line = { reqId, method, url: maskSecretQuery(url, REDACTED), statusCode, responseTime: Math.round(elapsedMs * 1000) / 1000 };
    if (error) this.#access.error({ ...line, error: error.message }, 'request errored');
    else this.#access.info(line, 'request completed');
  }
}

/** Routes with a secret in their path set their pattern as the URL the access log shows. */
export function registerAccessLogUrls(app: FastifyInstance): void {
  app.decorateRequest('accessLogUrl', null);
  // Decided once per route, not per request: the pattern is set as soon as the route matches,
  // before anything (a body error, say) can end the request.
  app.addHook('onRoute', (route) => {
    if (!route.config?.secretInPath) return;
    const pattern = route.url;
    const hide: onRequestHookHandler = (request, _reply, done) => {
      request.accessLogUrl = pattern;
      done();
    };
    route.onRequest = [hide, ...(route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest])];
  });
}

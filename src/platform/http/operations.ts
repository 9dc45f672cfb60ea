import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors.ts';
import { type Metrics, seriesByKey } from '../metrics.ts';
import { withinTimeLimit } from '../time-limit.ts';
import { typed } from './api-document.ts';
import { errorResponses, NoQuery } from './schemas.ts';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface OperationsDeps {
  metrics: Metrics;
  /** Bearer token for `/metrics`; unset, only loopback clients may read them. */
  metricsToken: string | undefined;
  /** What must answer before the process takes traffic: the database, the job queue. */
  readiness: ReadinessCheck[];
}

const CHECK_TIMEOUT_MS = 2000;
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Within a time limit: a database that hangs makes the process not ready, not a hung probe. */
function withinLimit(check: ReadinessCheck): Promise<void> {
  return withinTimeLimit(check.check(), CHECK_TIMEOUT_MS, () => new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)).then(() => undefined);
}

/**
 * Counts one answered request into the request metrics: by route template, never the raw URL
 * (ids and secrets would become labels); `undefined` is a request no route matched. The series
 * are found by the route's and method's own strings, whose hashes V8 keeps: no key is built per
 * call.
 */
export function requestMetrics(metrics: Metrics): (route: string | undefined, method: string, status: number, elapsedMs: number) => void {
  const seriesOf = seriesByKey((route: string) =>
    seriesByKey((method: string) => ({
      duration: metrics.httpDuration.series({ method, route }),
      requests: seriesByKey((status: number) => metrics.httpRequests.series({ method, route, status })),
    })),
  );
  return (route, method, status, elapsedMs) => {
    const series = seriesOf(route ?? 'unmatched')(method);
    series.requests(status).inc();
    series.duration.observe(elapsedMs / 1000);
  };
}

/**
 * `GET /health` (liveness: the process answers), `GET /ready` (readiness: its database and job
 * queue answer; 503 while they do not) and `GET /metrics` (Prometheus text), at the root, outside
 * the API prefix, as orchestrators and scrapers expect them.
 */
export function registerOperationsRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  const api = typed(app);
  const tags = ['operations'];
  const status = Type.Object({ status: Type.String() });
  const count = requestMetrics(deps.metrics);
  app.addHook('onResponse', (request, reply, done) => {
    count(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime);
    done();
  });

  api.get(
    '/health',
    {
      config: { auth: 'none' },
      schema: { tags, summary: 'Liveness: the process answers', querystring: NoQuery, response: { 200: status, ...errorResponses } },
    },
    async () => ({ status: 'ok' }),
  );

  api.get(
    '/ready',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'Readiness: the database and the job queue answer (503 while they do not)',
        querystring: NoQuery,
        response: { 200: status, ...errorResponses },
      },
    },
    async () => {
      const failed: string[] = [];
      await Promise.all(
        deps.readiness.map((c) =>
          withinLimit(c).catch((err: Error) => {
            failed.push(`${c.name}: ${err.message}`);
          }),
        ),
      );
      if (failed.length) throw new ApiError('SERVICE_UNAVAILABLE', `Not ready: ${failed.sort().join('; ')}`);
      return { status: 'ready' };
    },
  );

  const allowed = (request: FastifyRequest): boolean => {
    if (deps.metricsToken === undefined) return LOOPBACK.test(request.socket.remoteAddress ?? '');
    const header = request.headers.authorization ?? '';
    return header.startsWith('Bearer ') && sameSecret(header.slice('Bearer '.length), deps.metricsToken);
  };
  api.get(
    '/metrics',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'Prometheus metrics: "Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>", or from loopback when no token is set',
        querystring: NoQuery,
        response: { 200: Type.String(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!allowed(request)) {
        throw new ApiError(
          'UNAUTHORIZED',
          deps.metricsToken === undefined
            ? 'Metrics are served to this machine only; set SWITCHBOARD_METRICS_TOKEN to read them from elsewhere'
            : 'Send "Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>"',
        );
      }
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );
}

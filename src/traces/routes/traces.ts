import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import type { Identity } from '../../auth/identity.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import { notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { keysetPage, setKeysetHeaders } from '../../platform/http/keyset-cursor.ts';
import { errorResponses, NoQuery, NumericId } from '../../platform/http/schemas.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import { isTraceId, type TraceRepository, type TraceRow, type TraceScope } from '../trace-repository.ts';
import { TraceJson, TraceQuery } from '../schemas.ts';

/** The traces the caller may see, as for usage: the organization's, or their account's outside the default one. */
export const traceScope = (identity: Identity): TraceScope => ({
  organizationId: identity.organizationId,
  accountId: identity.inDefaultAccount ? undefined : identity.user.accountId,
});

export function traceJson(row: TraceRow): TraceJson {
  return {
    id: String(row.id),
    instanceId: row.instance_id,
    requestId: row.request_id,
    method: row.method,
    url: row.url,
    status: row.status,
    ...(row.error !== null && { error: row.error }),
    duration: row.duration_ms,
    date: row.created_at,
    request: { headers: JSON.parse(row.request_headers) as Record<string, string>, body: row.request_body },
    response: row.response_headers === null ? null : { headers: JSON.parse(row.response_headers) as Record<string, string>, body: row.response_body },
  };
}

/**
 * `GET /instances/{id}/traces`: the instance's traced vendor calls, newest first, paged with
 * `nextPage`; and `GET /elements/{key}/trace/{traceId}`: the calls that checked an instance created
 * with `debug` (provisioning-trace.ts).
 */
export function registerTraceRoutes(app: FastifyInstance, deps: { traces: TraceRepository; instances: InstanceService; registry: ElementRegistry }): void {
  typed(app).get(
    '/elements/:keyOrId/trace/:traceId',
    {
      schema: {
        tags: ['elements'],
        summary:
          'The vendor calls that checked a new instance created with debug: true in its configuration, by the Elements-Trace-Id of its answer (kept 24 hours); instanceId is 0 when the vendor refused it',
        params: Type.Object({ keyOrId: Type.String({ maxLength: 200 }), traceId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' }) }),
        querystring: NoQuery,
        response: { 200: Type.Array(TraceJson), ...errorResponses },
      },
    },
    async (request) => {
      const { keyOrId, traceId } = request.params;
      if (!deps.registry.find(keyOrId)) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
      const rows = await deps.traces.forRequest(traceScope(identityOf(request)), traceId);
      if (rows.length === 0) throw notFound(`No trace ${traceId}: traces are kept 24 hours, for instances created with "debug": true in their configuration`);
      return rows.map(traceJson);
    },
  );

  typed(app).get(
    '/instances/:id/traces',
    {
      schema: {
        tags: ['instances'],
        summary: 'The vendor calls of one instance recorded while traceLoggingEnabled was on, newest first (kept 24 hours)',
        params: Type.Object({ id: NumericId }),
        querystring: TraceQuery,
        response: { 200: Type.Array(TraceJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const instance = await deps.instances.get(identity, Number(request.params.id));
      const list = `traces:${instance.id}`;
      const { cursor, size } = keysetPage(request.query, list, { max: 200, isId: isTraceId });
      const rows = await deps.traces.forInstance(traceScope(identity), instance.id, size, cursor?.id);
      setKeysetHeaders(reply, rows, size, list, (r) => ({ createdAt: r.created_at, id: String(r.id) }));
      return rows.map(traceJson);
    },
  );
}

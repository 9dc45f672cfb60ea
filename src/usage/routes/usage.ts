import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import type { Identity } from '../../auth/identity.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { dateRange } from '../../platform/http/date-range.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/keyset-cursor.ts';
import { isTrafficId, type UsageFilter, type UsageRepository, type UsageRow } from '../usage-repository.ts';
import { AnalyticsItem, AnalyticsQuery, LatencyItem, UsageJson, UsageQuery } from '../schemas.ts';
import { TraceJson } from '../../traces/schemas.ts';
import { traceJson } from '../../traces/routes/traces.ts';
import type { TraceRepository } from '../../traces/trace-repository.ts';

const UsageWithTracesJson = Type.Object({ ...UsageJson.properties, traces: Type.Array(TraceJson) }, { title: 'UsageWithTraces' });

/** The usage list's cursor: the shared keyset cursor, whose id must be a traffic id. */
function decode(token: string) {
  const cursor = decodeCursor(token, 'usage');
  if (!isTrafficId(cursor.id)) throw badRequest('nextPage is not a token this server issued');
  return cursor;
}

/**
 * `GET /usage` (newest first; `pageSize`, `pageOffset`, `nextPage`), `GET /usage/{id}` (a traffic
 * id or the `Elements-Request-Id` of a call) and `GET /usage/analytics/times|statuses|activity`.
 * An organization sees its own calls; a user outside the default account those of their account.
 */
export function registerUsageRoutes(
  app: FastifyInstance,
  deps: { usage: UsageRepository; traces: TraceRepository; registry: ElementRegistry; clock: Clock },
): void {
  const api = typed(app);
  const tags = ['usage'];

  const scope = (identity: Identity) => ({
    organizationId: identity.organizationId,
    accountId: identity.inDefaultAccount ? undefined : identity.user.accountId,
  });

  function filterOf(identity: Identity, q: Omit<UsageQuery, 'pageSize' | 'pageOffset' | 'nextPage'>): UsageFilter {
    return {
      ...scope(identity),
      ...dateRange(q, deps.clock.now().getTime(), 'usage'),
      hub: q.hub,
      instanceId: q.instanceId === undefined ? undefined : Number(q.instanceId),
      elementKeys: q['keys[]'],
      tags: q['tags[]'],
      status: q.status,
      searchText: q.searchText,
    };
  }

  const json = (row: UsageRow): UsageJson => ({
    traffic_id: String(row.id),
    request_id: row.request_id,
    user_id: row.user_id,
    account_id: row.account_id,
    company_id: row.organization_id,
    company_external_id: String(row.organization_id),
    company_external_name: row.organization_name,
    ...(row.instance_id !== null && { instance_id: row.instance_id }),
    ...(row.element_key !== null && { element_key: row.element_key, element_name: deps.registry.find(row.element_key)?.name ?? row.element_key }),
    ...(row.hub !== null && { hub: row.hub }),
    element_api: `${row.method} ${row.route}`,
    request_uri: row.request_uri,
    request_status: row.status < 400 ? 'success' : 'failed',
    http_status: row.status,
    request_ip: row.request_ip,
    process_time: row.process_time_ms,
    vendor_calls: row.vendor_calls,
    vendor_time: row.vendor_time_ms,
    traffic_date: row.usage_date,
  });

  api.get(
    '/usage',
    {
      schema: {
        tags,
        summary: 'The API calls of the organization, newest first',
        querystring: UsageQuery,
        response: { 200: Type.Array(UsageJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const { pageSize, pageOffset, nextPage, ...q } = request.query;
      const cursor = nextPage === undefined ? undefined : decode(nextPage);
      const size = cursor?.pageSize ?? Math.min(Number(pageSize ?? 100), 1000);
      const after = cursor && { date: cursor.createdAt, id: cursor.id };
      const rows = await deps.usage.page(filterOf(identity, q), size, cursor ? 0 : Number(pageOffset ?? 0), after);
      const last = rows.at(-1);
      if (last && rows.length === size)
        reply.header('Elements-Next-Page-Token', encodeCursor({ createdAt: last.usage_date, id: String(last.id), pageSize: size, list: 'usage' }));
      reply.header('Elements-Returned-Count', String(rows.length));
      return rows.map(json);
    },
  );

  const analytics = async (identity: Identity, q: AnalyticsQuery) => {
    const interval = q.interval ?? 'day';
    const rows = await deps.usage.analytics(filterOf(identity, q), interval);
    const timestamp = (period: string) => (interval === 'hour' ? `${period}:00:00.000Z` : `${period}T00:00:00.000Z`);
    return rows.map((r) => ({ timestamp: timestamp(r.period), status: r.outcome, instanceId: r.instance_id, count: Number(r.n) }));
  };
  /** The counts summed over the rows `pick` makes alike, in time order. */
  function totals<T extends { timestamp: string }>(
    rows: Awaited<ReturnType<typeof analytics>>,
    pick: (r: (typeof rows)[number]) => T,
  ): (T & { count: number })[] {
    const byKey = new Map<string, T & { count: number }>();
    for (const r of rows) {
      const item = pick(r);
      const key = JSON.stringify(item);
      const total = byKey.get(key);
      if (total) total.count += r.count;
      else byKey.set(key, { ...item, count: r.count });
    }
    return [...byKey.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }
  const analyticsSchema = (summary: string) => ({
    tags,
    summary,
    querystring: AnalyticsQuery,
    response: { 200: Type.Array(AnalyticsItem), ...errorResponses },
  });
  api.get('/usage/analytics/times', { schema: analyticsSchema('Calls per hour or day') }, async (request) =>
    totals(await analytics(identityOf(request), request.query), (r) => ({ timestamp: r.timestamp })),
  );
  api.get('/usage/analytics/statuses', { schema: analyticsSchema('Calls per hour or day, by outcome: success (below 400) or failed') }, async (request) =>
    totals(await analytics(identityOf(request), request.query), (r) => ({ timestamp: r.timestamp, status: r.status })),
  );
  api.get('/usage/analytics/activity', { schema: analyticsSchema('Calls per hour or day, by instance (null: platform calls)') }, async (request) =>
    totals(await analytics(identityOf(request), request.query), (r) => ({ timestamp: r.timestamp, instanceId: r.instanceId })),
  );
  api.get(
    '/usage/analytics/latency',
    {
      schema: {
        tags,
        summary: 'Calls per hour or day with the 95th percentile of their process time',
        querystring: AnalyticsQuery,
        response: { 200: Type.Array(LatencyItem), ...errorResponses },
      },
    },
    async (request) => {
      const interval = request.query.interval ?? 'day';
      const rows = await deps.usage.latency(filterOf(identityOf(request), request.query), interval);
      return rows.map((r) => ({
        timestamp: interval === 'hour' ? `${r.period}:00:00.000Z` : `${r.period}T00:00:00.000Z`,
        count: Number(r.n),
        p95: Number(r.p95),
      }));
    },
  );

  api.get(
    '/usage/:id',
    {
      schema: {
        tags,
        summary: 'One call, by its traffic id or its Elements-Request-Id, with the traces of its vendor calls',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        querystring: NoQuery,
        response: { 200: UsageWithTracesJson, ...errorResponses },
      },
    },
    async (request) => {
      const identity = identityOf(request);
      const s = scope(identity);
      const row = await deps.usage.find(s.organizationId, s.accountId, request.params.id);
      if (!row) throw notFound(`No usage record ${request.params.id}`);
      // Traces of its vendor calls, recorded while the instance had trace logging on.
      const traces = row.instance_id === null ? [] : await deps.traces.forRequest(s, row.request_id);
      return { ...json(row), traces: traces.map(traceJson) };
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { isOrgAdmin } from '../../auth/identity.ts';
import type { Clock } from '../../platform/clock.ts';
import { forbidden } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { DateRangeQuery, dateRange } from '../../platform/http/date-range.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { EventRepository, EventScope } from '../event-repository.ts';

const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
type Interval = (typeof INTERVALS)[number];
/** The leading characters of an ISO time that name its period; a week is counted by days, then folded. */
const PERIOD_LENGTH: Record<Interval, number> = { minute: 16, hour: 13, day: 10, week: 10, month: 7 };
const DAY_MS = 86_400_000;

/** A period's first instant as ISO text; a day stands for the Monday of its week when `interval` is `week`. */
function timestamp(period: string, interval: Interval): string {
  switch (interval) {
    case 'minute':
      return `${period}:00.000Z`;
    case 'hour':
      return `${period}:00:00.000Z`;
    case 'month':
      return `${period}-01T00:00:00.000Z`;
    case 'day':
      return `${period}T00:00:00.000Z`;
    case 'week': {
      const day = Date.parse(`${period}T00:00:00.000Z`);
      return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS).toISOString();
    }
  }
}

const Count = Type.Integer({ minimum: 0 });
const AnalyticsItem = Type.Object({ timestamp: Type.String(), count: Count }, { title: 'EventAnalytics' });

/**
 * `GET /instances/events/analytics` (events per minute, hour, day, week or month) and its counts
 * per instance and per account (open-connectors-api.md §6.9), over the events the caller may see
 * in the event log, in `[from, to)` (the last 7 days by default).
 */
export function registerEventAnalyticsRoutes(app: FastifyInstance, deps: { events: EventRepository; tenancy: TenancyService; clock: Clock }): void {
  const api = typed(app);
  const tags = ['events'];
  /** As the event log: an org admin every instance's events, anybody else their account's. */
  const scope = (request: FastifyRequest): EventScope => {
    const identity = identityOf(request);
    return { organizationId: identity.organizationId, accountId: isOrgAdmin(identity) ? undefined : identity.user.accountId };
  };
  const range = (query: { from?: string | undefined; to?: string | undefined }) => dateRange(query, deps.clock.now().getTime(), 'events');

  api.get(
    '/instances/events/analytics',
    {
      schema: {
        tags,
        summary: 'Events per period, oldest first; periods without events are left out',
        querystring: Type.Object({
          ...DateRangeQuery,
          interval: Type.Optional(
            Type.Union(
              INTERVALS.map((i) => Type.Literal(i)),
              { description: 'day by default; second is not offered' },
            ),
          ),
        }),
        response: { 200: Type.Array(AnalyticsItem), ...errorResponses },
      },
    },
    async (request) => {
      const interval: Interval = request.query.interval ?? 'day';
      const { from, to } = range(request.query);
      const counts = new Map<string, number>();
      for (const row of await deps.events.countsByPeriod(scope(request), from, to, PERIOD_LENGTH[interval])) {
        const at = timestamp(row.period, interval);
        counts.set(at, (counts.get(at) ?? 0) + Number(row.n));
      }
      return [...counts].map(([at, count]) => ({ timestamp: at, count }));
    },
  );

  api.get(
    '/instances/events/analytics/instances',
    {
      schema: {
        tags,
        summary: 'Events per instance',
        querystring: Type.Object(DateRangeQuery),
        response: { 200: Type.Array(Type.Object({ instanceId: Type.Integer(), count: Count }, { title: 'EventCountOfInstance' })), ...errorResponses },
      },
    },
    async (request) => {
      const { from, to } = range(request.query);
      return (await deps.events.countsByInstance(scope(request), from, to)).map((r) => ({ instanceId: r.key, count: Number(r.n) }));
    },
  );

  api.get(
    '/instances/events/analytics/accounts',
    {
      schema: {
        tags,
        summary: "Events per account of their instances; accountIds[] keeps only those accounts, each one the caller's",
        querystring: Type.Object({
          ...DateRangeQuery,
          'accountIds[]': Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,15}$' }), { minItems: 1, maxItems: 100 })),
        }),
        response: { 200: Type.Array(Type.Object({ accountId: Type.Integer(), count: Count }, { title: 'EventCountOfAccount' })), ...errorResponses },
      },
    },
    async (request) => {
      const identity = identityOf(request);
      const accountIds = request.query['accountIds[]']?.map(Number);
      // Another account's counts are not the caller's to see, whether or not it exists.
      const unseen = accountIds && (await deps.tenancy.firstUnseenAccount(identity, accountIds));
      if (unseen !== undefined) throw forbidden(`Account ${unseen} is not one whose events you may see`);
      const { from, to } = range(request.query);
      return (await deps.events.countsByAccount(scope(request), from, to, accountIds)).map((r) => ({ accountId: r.key, count: Number(r.n) }));
    },
  );
}

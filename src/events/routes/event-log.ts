import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { isOrgAdmin } from '../../auth/identity.ts';
import { notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { EventRepository, EventRow, EventScope } from '../event-repository.ts';
import type { EventService } from '../event-service.ts';
import type { EventSources } from '../event-sources.ts';
import { intakeUrl } from '../event-sources.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/keyset-cursor.ts';
import { maskUrlCredentials } from '../../platform/url-credentials.ts';
import { EventJson, EventPageQuery, EventParams, EventStatusJson, InstanceEventParams, InstanceParams } from '../schemas.ts';

/** The event log (`event.schema.json`), its deliveries, redelivery, and each instance's event status. */
export function registerEventLogRoutes(
  app: FastifyInstance,
  deps: { events: EventRepository; service: EventService; instances: InstanceService; sources: EventSources; publicUrl: () => string },
): void {
  const api = typed(app);
  /** Event log entries with their deliveries, read in one query for the whole page. */
  const json = async (rows: EventRow[]): Promise<EventJson[]> => {
    const deliveries = await deps.events.deliveriesOf(rows.map((e) => e.id));
    return rows.map((e) => ({
      id: e.id,
      eventDate: e.event_date,
      status: e.status,
      providerData: e.provider_data,
      notifiedData: [],
      instanceId: e.instance_id,
      elementKey: e.element_key,
      source: e.source,
      events: JSON.parse(e.events) as EventJson['events'],
      deliveries: deliveries.get(e.id)!.map((d) => ({
        id: d.id,
        status: d.status as EventJson['deliveries'][number]['status'],
        url: maskUrlCredentials(d.url),
        attempts: d.attempts,
        lastStatus: d.last_status,
        lastError: d.last_error,
        nextAttemptDate: d.status === 'pending' ? d.next_attempt_at : null,
        deliveredDate: d.delivered_at,
      })),
    }));
  };
  const one = async (e: EventRow) => (await json([e]))[0]!;
  /**
   * One page of a list, newest first: by `page`/`pageSize`, or after the event a `nextPage` token
   * names (which wins). A full page carries `Elements-Next-Page-Token`.
   */
  const listPage = async (request: { query: EventPageQuery }, reply: FastifyReply, eventScope: EventScope, list: string) => {
    const q = request.query;
    const cursor = q.nextPage ? decodeCursor(q.nextPage, list) : undefined;
    const size = Math.min(q.pageSize !== undefined ? Number(q.pageSize) : (cursor?.pageSize ?? 50), 500);
    const offset = cursor ? 0 : (Number(q.page ?? 1) - 1) * size;
    const rows = await deps.events.listEvents(eventScope, size, offset, cursor);
    reply.header('Elements-Returned-Count', String(rows.length));
    const last = rows.at(-1);
    if (last && rows.length === size) reply.header('Elements-Next-Page-Token', encodeCursor({ createdAt: last.created_at, id: last.id, pageSize: size, list }));
    return json(rows);
  };
  /** The events the caller may see: an org admin every instance's, anybody else their account's. */
  const scope = (request: FastifyRequest, instanceId?: number): EventScope => {
    const identity = identityOf(request);
    return { organizationId: identity.organizationId, instanceId, accountId: isOrgAdmin(identity) ? undefined : identity.user.accountId };
  };
  const find = async (request: FastifyRequest, eventId: string, instanceId?: number) => {
    const e = await deps.events.event(scope(request, instanceId), eventId);
    if (!e) throw notFound(`No event found with ID ${eventId.slice(0, 40)}`);
    return e;
  };
  const tags = ['events'];
  const list = { 200: Type.Array(EventJson), ...errorResponses };
  const single = { 200: EventJson, ...errorResponses };

  api.get(
    '/instances/events',
    { schema: { summary: 'The event log of the instances the caller may see, newest first', tags, querystring: EventPageQuery, response: list } },
    async (request, reply) => listPage(request, reply, scope(request), 'all'),
  );
  api.get(
    '/instances/events/:eventId',
    { schema: { summary: 'One event with its deliveries', tags, params: EventParams, querystring: NoQuery, response: single } },
    async (request) => one(await find(request, request.params.eventId)),
  );
  api.post(
    '/instances/events/:eventId/redeliver',
    { schema: { summary: "Send an event's notification again", tags, params: EventParams, querystring: NoQuery, response: single } },
    async (request) => {
      const e = await find(request, request.params.eventId);
      await deps.service.redeliver(e.id);
      return one(await find(request, e.id));
    },
  );

  api.get(
    '/instances/:id/events',
    { schema: { summary: 'The event log of one instance, newest first', tags, params: InstanceParams, querystring: EventPageQuery, response: list } },
    async (request, reply) => {
      const instance = await deps.instances.get(identityOf(request), Number(request.params.id));
      return listPage(request, reply, scope(request, instance.id), String(instance.id));
    },
  );
  api.get(
    '/instances/:id/events/status',
    {
      schema: {
        summary: 'Polling or webhook state of one instance: schedule, last error, intake URL',
        tags,
        params: InstanceParams,
        querystring: NoQuery,
        response: { 200: EventStatusJson, ...errorResponses },
      },
    },
    async (request) => {
      const instance = await deps.instances.get(identityOf(request), Number(request.params.id));
      const source = await deps.events.source(instance.id);
      if (!source) return { enabled: false };
      const secret = deps.sources.secretOf(source);
      return {
        enabled: true,
        type: source.kind,
        intervalMinutes: source.interval_minutes,
        nextPollDate: source.next_poll_at,
        lastPollDate: source.last_poll_at,
        lastError: source.last_error,
        lastErrorDate: source.last_error_at,
        webhookRegistration: source.registration,
        ...(secret && { webhookUrl: intakeUrl(deps.publicUrl(), instance.elementKey, instance.id, secret) }),
      };
    },
  );
  api.get(
    '/instances/:id/events/:eventId',
    { schema: { summary: 'One event of one instance', tags, params: InstanceEventParams, querystring: NoQuery, response: single } },
    async (request) => one(await find(request, request.params.eventId, Number(request.params.id))),
  );
  api.post(
    '/instances/:id/events/:eventId/redeliver',
    { schema: { summary: "Send an event's notification again", tags, params: InstanceEventParams, querystring: NoQuery, response: single } },
    async (request) => {
      const e = await find(request, request.params.eventId, Number(request.params.id));
      await deps.service.redeliver(e.id);
      return one(await find(request, e.id, e.instance_id));
    },
  );
}

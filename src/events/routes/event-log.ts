import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { parseCount, parseId } from '../../platform/http/params.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { EventRepository, EventRow, EventScope } from '../event-repository.ts';
import { isOrgAdmin } from '../../auth/identity.ts';
import type { EventService } from '../event-service.ts';
import type { EventSources } from '../event-sources.ts';
import { intakeUrl } from '../event-sources.ts';

/** The event log (`event.schema.json`), its deliveries, redelivery, and each instance's event status. */
export function registerEventLogRoutes(app: FastifyInstance, deps: { events: EventRepository; service: EventService; instances: InstanceService; sources: EventSources; publicUrl: () => string }): void {
  /** Event log entries with their deliveries, read in one query for the whole page. */
  const json = async (rows: EventRow[]) => {
    const deliveries = await deps.events.deliveriesOf(rows.map((e) => e.id));
    return rows.map((e) => ({
      id: e.id, eventDate: e.event_date, status: e.status, providerData: e.provider_data, notifiedData: [],
      instanceId: e.instance_id, elementKey: e.element_key, source: e.source, events: JSON.parse(e.events) as unknown[],
      deliveries: deliveries.get(e.id)!.map((d) => ({
        id: d.id, status: d.status, url: d.url, attempts: d.attempts, lastStatus: d.last_status, lastError: d.last_error,
        nextAttemptDate: d.status === 'pending' ? d.next_attempt_at : null, deliveredDate: d.delivered_at,
      })),
    }));
  };
  const one = async (e: EventRow) => (await json([e]))[0]!;
  const page = (request: FastifyRequest) => {
    const q = request.query as { pageSize?: string; page?: string };
    const size = parseCount(q.pageSize, 'pageSize', 50, 500) || 50;
    const n = Math.max(1, parseCount(q.page, 'page', 1, 1_000_000));
    return { size, offset: (n - 1) * size };
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

  app.get('/instances/events', async (request) => {
    const { size, offset } = page(request);
    return json(await deps.events.listEvents(scope(request), size, offset));
  });
  app.get('/instances/events/:eventId', async (request) => one(await find(request, (request.params as { eventId: string }).eventId)));
  app.post('/instances/events/:eventId/redeliver', async (request) => {
    const eventId = (request.params as { eventId: string }).eventId;
    const e = await find(request, eventId);
    await deps.service.redeliver(e.id);
    return one(await find(request, eventId));
  });

  app.get('/instances/:id/events', async (request) => {
    const instance = await deps.instances.get(identityOf(request), parseId((request.params as { id: string }).id, 'Instance'));
    const { size, offset } = page(request);
    return json(await deps.events.listEvents(scope(request, instance.id), size, offset));
  });
  app.get('/instances/:id/events/status', async (request) => {
    const instance = await deps.instances.get(identityOf(request), parseId((request.params as { id: string }).id, 'Instance'));
    const source = await deps.events.source(instance.id);
    if (!source) return { enabled: false };
    const secret = deps.sources.secretOf(source);
    return {
      enabled: true, type: source.kind, intervalMinutes: source.interval_minutes, nextPollDate: source.next_poll_at, lastPollDate: source.last_poll_at,
      lastError: source.last_error, lastErrorDate: source.last_error_at, webhookRegistration: source.registration,
      ...(secret && { webhookUrl: intakeUrl(deps.publicUrl(), instance.elementKey, instance.id, secret) }),
    };
  });
  app.get('/instances/:id/events/:eventId', async (request) => {
    const { id, eventId } = request.params as { id: string; eventId: string };
    return one(await find(request, eventId, parseId(id, 'Instance')));
  });
  app.post('/instances/:id/events/:eventId/redeliver', async (request) => {
    const { id, eventId } = request.params as { id: string; eventId: string };
    const e = await find(request, eventId, parseId(id, 'Instance'));
    await deps.service.redeliver(e.id);
    return one(await find(request, eventId, e.instance_id));
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { parseCount, parseId } from '../../platform/http/params.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { EventRepository, EventRow } from '../event-repository.ts';
import type { EventService } from '../event-service.ts';
import type { EventSources } from '../event-sources.ts';
import { intakeUrl } from '../event-sources.ts';

/** The event log (`event.schema.json`), its deliveries, redelivery, and each instance's event status. */
export function registerEventLogRoutes(app: FastifyInstance, deps: { events: EventRepository; service: EventService; instances: InstanceService; sources: EventSources; publicUrl: () => string }): void {
  const json = async (e: EventRow) => ({
    id: e.id, eventDate: e.event_date, status: e.status, providerData: e.provider_data, notifiedData: [],
    instanceId: e.instance_id, elementKey: e.element_key, source: e.source, events: JSON.parse(e.events) as unknown[],
    deliveries: (await deps.events.deliveriesOf(e.id)).map((d) => ({
      id: d.id, status: d.status, url: d.url, attempts: d.attempts, lastStatus: d.last_status, lastError: d.last_error,
      nextAttemptDate: d.status === 'pending' ? d.next_attempt_at : null, deliveredDate: d.delivered_at,
    })),
  });
  const page = (request: FastifyRequest) => {
    const q = request.query as { pageSize?: string; page?: string };
    const size = parseCount(q.pageSize, 'pageSize', 50, 500) || 50;
    const n = Math.max(1, parseCount(q.page, 'page', 1, 1_000_000));
    return { size, offset: (n - 1) * size };
  };
  const visibleIds = async (request: FastifyRequest) => (await deps.instances.list(identityOf(request))).map((i) => i.id);
  const find = async (request: FastifyRequest, eventId: string, instanceId?: number) => {
    const e = await deps.events.event(identityOf(request).organizationId, eventId);
    if (!e || !(await visibleIds(request)).includes(e.instance_id) || (instanceId !== undefined && e.instance_id !== instanceId)) {
      throw notFound(`No event found with ID ${eventId.slice(0, 40)}`);
    }
    return e;
  };

  app.get('/instances/events', async (request) => {
    const { size, offset } = page(request);
    const rows = await deps.events.listEvents(identityOf(request).organizationId, await visibleIds(request), size, offset);
    return Promise.all(rows.map(json));
  });
  app.get('/instances/events/:eventId', async (request) => json(await find(request, (request.params as { eventId: string }).eventId)));
  app.post('/instances/events/:eventId/redeliver', async (request) => {
    const e = await find(request, (request.params as { eventId: string }).eventId);
    await deps.service.redeliver(e.id);
    return json((await deps.events.event(e.organization_id, e.id))!);
  });

  app.get('/instances/:id/events', async (request) => {
    const instance = await deps.instances.get(identityOf(request), parseId((request.params as { id: string }).id, 'Instance'));
    const { size, offset } = page(request);
    return Promise.all((await deps.events.listEvents(instance.organizationId, [instance.id], size, offset)).map(json));
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
    return json(await find(request, eventId, parseId(id, 'Instance')));
  });
  app.post('/instances/:id/events/:eventId/redeliver', async (request) => {
    const { id, eventId } = request.params as { id: string; eventId: string };
    const e = await find(request, eventId, parseId(id, 'Instance'));
    await deps.service.redeliver(e.id);
    return json((await deps.events.event(e.organization_id, e.id))!);
  });
}

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Clock } from '../platform/clock.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import { afterFailedAttempt, postCallback } from '../platform/callback-post.ts';
import type { VendorDataCache } from '../platform/vendor-data-cache.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { InstanceRepository, Instance } from '../instances/instance-repository.ts';
import type { VendorEvent } from '../hubs/event-contract.ts';
import type { HubContext, HubInstance } from '../hubs/hub-contract.ts';
import { hubContext } from '../hubs/hub-context.ts';
import type { HubResponseCache } from '../hubs/response-cache.ts';
import { secretValues } from '../instances/views.ts';
import type { TraceRecorder } from '../traces/trace-recorder.ts';
import type { EventRepository, DeliveryRow } from './event-repository.ts';
import { eventSettings } from './event-settings.ts';

export const POLL_JOB = 'events.poll';
export const DELIVER_JOB = 'events.deliver';

/** Open Connectors batching (§6.5): at most 10 events per notification from polling, 20 from webhooks. */
const BATCH = { polling: 10, webhook: 20 } as const;

export interface DeliveryConfig {
  /** The first retry waits this long; each further one four times longer (4 s in production). */
  baseDelayMs: number;
  timeoutMs: number;
}

export interface EventServiceDeps {
  events: EventRepository;
  instances: InstanceRepository;
  registry: ElementRegistry;
  queue: JobQueue;
  /** Callbacks go out through this one. */
  http: OutboundHttp;
  /** Outbound HTTP for one element's vendor calls (polls), counted per element. */
  vendorHttp: (elementKey: string) => OutboundHttp;
  clock: Clock;
  logger: Logger;
  delivery: DeliveryConfig;
  vendorTimeoutMs: number;
  vendorData: VendorDataCache;
  /** What a failed notification of an account's instances becomes: retried, or queued until redelivered. */
  failurePolicy: (accountId: number) => Promise<'retry' | 'queue'>;
  /** Counts each delivery attempt by outcome: delivered, retrying, queued or failed for good. */
  deliveryOutcomes?: Pick<Counter<'outcome'>, 'inc'>;
  /** Cached hub answers, which a vendor event makes stale. */
  responses?: Pick<HubResponseCache, 'invalidate'>;
  /** Vendor calls of the instances with `traceLoggingEnabled`. */
  traces?: Pick<TraceRecorder, 'httpFor'>;
}

export const newEventId = (): string => randomBytes(12).toString('hex');

/** Signatures of a notification body: Open Connectors' and one over `timestamp.body` against replays. */
export function signatures(key: string, body: string, timestamp: number): Record<string, string> {
  const hmac = (data: string) => `sha256=${createHmac('sha256', key).update(data).digest('base64')}`;
  return { 'Elements-Webhook-Signature': hmac(body), 'Elements-Webhook-Timestamp-Signature': hmac(`${timestamp}.${body}`) };
}

/**
 * Turns vendor events into the event log and the delivery outbox, and sends deliveries with
 * retries. Everything is rows in our own tables; the job queue only says when to look.
 */
export class EventService {
  constructor(private readonly deps: EventServiceDeps) {}

  /** The context of the instance's polls and webhook reads, traced while it has trace logging on. */
  context(instance: Instance): HubContext {
    const vendorHttp = this.deps.vendorHttp(instance.elementKey);
    const http = this.deps.traces
      ? this.deps.traces.httpFor(instance, null, vendorHttp, secretValues(this.deps.registry.find(instance.elementKey), instance.configuration))
      : vendorHttp;
    return this.#context(instance, http);
  }

  /** The context of an instance that no longer exists (a webhook removal retried after its deletion), untraced. */
  contextOfDeleted(elementKey: string, instance: HubInstance): HubContext {
    return this.#context(instance, this.deps.vendorHttp(elementKey));
  }

  #context(instance: HubInstance, http: OutboundHttp): HubContext {
    return hubContext(instance, { http, logger: this.deps.logger, timeoutMs: this.deps.vendorTimeoutMs }, this.deps.vendorData);
  }

  /**
   * Records the new ones among `events` (the dedupe ledger drops changes already notified) as
   * notifications of at most 10 (polling) or 20 (webhook) events, then asks for their delivery.
   * `afterRecord` runs inside the same transaction (the poller moves its cursor there).
   */
  async record(
    instance: Instance,
    source: 'polling' | 'webhook',
    events: VendorEvent[],
    raw: (batch: VendorEvent[]) => unknown,
    afterRecord?: (repo: EventRepository) => Promise<void>,
  ): Promise<number> {
    const element = this.deps.registry.module(instance.elementKey)!;
    // Every event says its object changed, a change already notified too: cached reads of it go.
    if (instance.cachingEnabled && this.deps.responses) {
      for (const objectType of new Set(events.map((e) => e.objectType))) await this.deps.responses.invalidate(instance.id, objectType);
    }
    const settings = eventSettings(instance.configuration, element.events?.defaultObjects ?? []);
    const deliveryIds: string[] = [];
    let recorded = 0;
    await this.deps.events.record(async (repo, isNew) => {
      const fresh: VendorEvent[] = [];
      for (const e of events) if (await isNew(instance.id, e.objectType, e.objectId, e.version)) fresh.push(e);
      recorded = fresh.length;
      const now = this.deps.clock.now().toISOString();
      for (let i = 0; i < fresh.length; i += BATCH[source]) {
        const batch = fresh.slice(i, i + BATCH[source]);
        const id = newEventId();
        const message = {
          eventId: id,
          instanceId: instance.id,
          instanceName: instance.name,
          elementKey: instance.elementKey,
          accountId: instance.accountId,
          companyId: instance.organizationId,
          userId: instance.userId,
          pollDate: now,
          events: batch.map((e) => ({ eventType: e.eventType, objectType: e.objectType, objectId: e.objectId, elementKey: instance.elementKey, date: e.date })),
          raw: raw(batch),
        };
        const body = JSON.stringify({ message });
        const deliveryId = randomUUID();
        await repo.insertEvent(
          {
            id,
            organization_id: instance.organizationId,
            instance_id: instance.id,
            element_key: instance.elementKey,
            source,
            status: settings.callbackUrl ? 'DISPATCHED' : 'NEW',
            event_date: now,
            events: JSON.stringify(message.events),
            provider_data: JSON.stringify(message.raw),
            created_at: now,
          },
          settings.callbackUrl
            ? {
                id: deliveryId,
                event_id: id,
                organization_id: instance.organizationId,
                instance_id: instance.id,
                url: settings.callbackUrl,
                body,
                status: 'pending',
                attempts: 0,
                next_attempt_at: now,
                locked_until: null,
                last_status: null,
                last_error: null,
                created_at: now,
                delivered_at: null,
              }
            : undefined,
        );
        if (settings.callbackUrl) deliveryIds.push(deliveryId);
      }
      if (afterRecord) await afterRecord(repo);
    });
    for (const id of deliveryIds) await this.deps.queue.enqueue(DELIVER_JOB, { deliveryId: id }, this.jobOptions(id));
    return recorded;
  }

  /** Sends one delivery if it is due and nobody else is sending it; schedules the retry otherwise. */
  async deliver(deliveryId: string): Promise<void> {
    const now = this.deps.clock.now();
    const d = await this.deps.events.claimDelivery(deliveryId, now, this.deps.delivery.timeoutMs * 3);
    if (!d) return;
    try {
      await this.#send(d, now);
    } catch (err) {
      // Whatever went wrong, the attempt counts: a delivery that failed before its POST must
      // not stay `sending` and be taken again and again without ever reaching the attempt cap.
      this.deps.logger.warn({ deliveryId: d.id, err: (err as Error).message }, 'delivery attempt failed before sending');
      await this.#retryLater(d, undefined, null, `the notification could not be sent: ${(err as Error).message}`, 0);
    }
  }

  async #send(d: DeliveryRow, now: Date): Promise<void> {
    const instance = await this.deps.instances.find(d.instance_id);
    if (!instance) {
      // Never send a notification without the signature its receiver expects.
      await this.deps.events.deliveryFailed(d, null, 'the instance no longer exists', 'failed');
      return;
    }
    const key = eventSettings(instance.configuration, []).signatureKey;
    const timestamp = Math.floor(now.getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'switchboard-events/1',
      'Elements-Webhook-Id': d.id,
      'Elements-Webhook-Timestamp': String(timestamp),
      ...(key && signatures(key, d.body, timestamp)),
    };
    const outcome = await postCallback(this.deps.http, this.deps.events.sendUrl(d), d.body, headers, this.deps.delivery.timeoutMs, () =>
      this.deps.clock.now().getTime(),
    );
    if (outcome.delivered) {
      await this.deps.events.deliveryDone(d, outcome.status, this.deps.clock.now());
      this.deps.deliveryOutcomes?.inc({ outcome: 'delivered' });
      return;
    }
    await this.#retryLater(d, instance, outcome.status, outcome.error, outcome.retryAfterMs);
  }

  /** `instance`: the delivery's, when the attempt got as far as reading it. */
  async #retryLater(d: DeliveryRow, instance: Instance | undefined, status: number | null, error: string, retryAfterMs: number): Promise<void> {
    const attempt = d.attempts + 1;
    const accountId = (instance ?? (await this.deps.instances.find(d.instance_id)))?.accountId;
    const policy = accountId === undefined ? 'retry' : await this.deps.failurePolicy(accountId);
    const next = afterFailedAttempt(attempt, policy, { nowMs: this.deps.clock.now().getTime(), baseDelayMs: this.deps.delivery.baseDelayMs, retryAfterMs });
    await this.deps.events.deliveryFailed(d, status, error, next);
    this.deps.deliveryOutcomes?.inc({ outcome: next instanceof Date ? 'retrying' : next });
    if (next instanceof Date) {
      await this.deps.queue.enqueue(DELIVER_JOB, { deliveryId: d.id }, { ...this.jobOptions(d.id), runAt: next });
      return;
    }
    // `queued`: the account's policy keeps it, whole, until it is redelivered.
    this.deps.logger.warn(
      { deliveryId: d.id, instanceId: d.instance_id, attempts: attempt },
      next === 'queued' ? 'delivery failed; queued until redelivered (the account does not retry)' : 'delivery failed for good',
    );
  }

  async redeliver(eventId: string): Promise<void> {
    for (const id of await this.deps.events.redeliver(eventId, this.deps.clock.now())) {
      await this.deps.queue.enqueue(DELIVER_JOB, { deliveryId: id }, this.jobOptions(id));
    }
  }

  /** A delivery job is leased as long as the delivery itself, so a crash delays it by seconds, not minutes. */
  jobOptions(deliveryId: string) {
    return { singletonKey: deliveryId, leaseMs: this.deps.delivery.timeoutMs * 3 };
  }
}

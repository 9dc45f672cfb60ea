import { randomInt, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import { badRequest } from '../platform/errors.ts';
import { isUniqueViolation } from '../store/unique-violation.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { EventRepository } from './event-repository.ts';
import { DELIVER_JOB, type EventService } from './event-service.ts';
import { eventSettings } from './event-settings.ts';
import type { InProcessCall, Inject } from '../platform/http/in-process-call.ts';

/** The answer the callback receives: the hub's status, its `Elements-*` headers, and its body. */
interface Answer {
  /** Null when no answer came (the process stopped while the call ran). */
  status: number | null;
  headers: Record<string, string>;
  response: unknown;
}

export interface AsyncHubCallsDeps {
  events: EventRepository;
  queue: JobQueue;
  service: Pick<EventService, 'jobOptions'>;
  clock: Clock;
  logger: Logger;
  /** A held call older than this is one whose process stopped: its callback is told so. */
  abandonedAfterMs: number;
}

/** Headers of the hub's answer that the callback is given: paging and the instance, not transport. */
const KEPT_HEADER = /^(elements-|content-type$)/;

/**
 * Asynchronous hub calls (open-connectors-api.md §6.10): a call with `Elements-Async-Request:
 * true` is answered at once with an event id, made afterwards, and its answer POSTed to
 * `Elements-Async-Callback-Url` (or the instance's `event.notification.callback.url`) as
 * `{eventId, instanceId, notificationId, status, headers, response}`, signed like event
 * notifications. The answer goes through the event outbox, so it is retried, logged and can be
 * redelivered like any notification.
 *
 * The call is made once, never again: a write must not happen twice. If the process stops while
 * it runs, the callback still hears of it, with a null status, once the call is surely over.
 */
export class AsyncHubCalls {
  constructor(private readonly deps: AsyncHubCallsDeps) {}

  /** Accepts `call` for `instance`: records it, makes it after the caller has its answer, and returns its event id. */
  async accept(instance: Instance, callbackUrl: string | undefined, call: InProcessCall, inject: Inject): Promise<number> {
    const callback = callbackUrl ?? eventSettings(instance.configuration, []).callbackUrl;
    if (!callback)
      throw badRequest(
        'An asynchronous call needs a callback: send Elements-Async-Callback-Url, or set event.notification.callback.url in the instance configuration',
      );
    const held = await this.#hold(instance, callback, call);
    setImmediate(() => void this.#run(instance, held, call, inject));
    return held.eventId;
  }

  /** The event (numbered, as Open Connectors numbers these) and its held delivery. */
  async #hold(instance: Instance, callbackUrl: string, call: InProcessCall): Promise<{ eventId: number; deliveryId: string }> {
    const now = this.deps.clock.now();
    const at = now.toISOString();
    for (let attempt = 0; ; attempt++) {
      // Unique in practice; a clash (two calls in one millisecond drawing the same number) draws again.
      const eventId = now.getTime() * 1000 + randomInt(1000);
      const deliveryId = randomUUID();
      try {
        await this.deps.events.holdAsync(
          {
            id: String(eventId),
            organization_id: instance.organizationId,
            instance_id: instance.id,
            element_key: instance.elementKey,
            source: 'async',
            status: 'RECEIVED',
            event_date: at,
            events: JSON.stringify([
              {
                eventType: 'ASYNC_REQUEST',
                objectType: 'request',
                objectId: `${call.method} ${call.url.split('?')[0]}`,
                elementKey: instance.elementKey,
                date: at,
              },
            ]),
            provider_data: '{}',
            created_at: at,
          },
          {
            id: deliveryId,
            event_id: String(eventId),
            organization_id: instance.organizationId,
            instance_id: instance.id,
            url: callbackUrl,
            body: '',
            status: 'held',
            attempts: 0,
            next_attempt_at: at,
            locked_until: null,
            last_status: null,
            last_error: null,
            created_at: at,
            delivered_at: null,
          },
        );
        return { eventId, deliveryId };
      } catch (err) {
        if (!isUniqueViolation(err) || attempt === 2) throw err;
      }
    }
  }

  async #run(instance: Instance, held: { eventId: number; deliveryId: string }, call: InProcessCall, inject: Inject): Promise<void> {
    let answer: Answer;
    try {
      const res = await inject(call);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (KEPT_HEADER.test(name) && value !== undefined) headers[name] = String(value);
      answer = { status: res.statusCode, headers, response: parsed(res.body, headers['content-type'], res.headers['content-length']) };
    } catch (err) {
      answer = { status: null, headers: {}, response: { message: `The call could not be made: ${(err as Error).message}` } };
    }
    try {
      await this.#release(instance.id, held, answer);
    } catch (err) {
      // The held delivery stays; the recovery tells the callback that the call's outcome is unknown.
      this.deps.logger.error({ err: (err as Error).message, eventId: held.eventId }, 'asynchronous call answer not recorded');
    }
  }

  async #release(instanceId: number, held: { eventId: number; deliveryId: string }, answer: Answer): Promise<void> {
    const body = JSON.stringify({ eventId: held.eventId, instanceId, notificationId: held.eventId, ...answer });
    if (await this.deps.events.releaseAsync(held.deliveryId, body, this.deps.clock.now()))
      await this.deps.queue.enqueue(DELIVER_JOB, { deliveryId: held.deliveryId }, this.deps.service.jobOptions(held.deliveryId));
  }

  /**
   * Calls held past `abandonedAfterMs`, whose process stopped while they ran: their callbacks are
   * told that the outcome is unknown. Returns how many.
   */
  async recoverAbandoned(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - this.deps.abandonedAfterMs).toISOString();
    const stale = await this.deps.events.staleHeld(before, 100);
    for (const d of stale) {
      await this.#release(
        d.instance_id,
        { eventId: Number(d.event_id), deliveryId: d.id },
        {
          status: null,
          headers: {},
          response: { message: 'switchboard stopped while the call ran: it may or may not have reached the vendor; read the object again to know' },
        },
      );
    }
    return stale.length;
  }
}

/**
 * The answer's body as the callback gets it: JSON as such, text as text. Bytes (an attachment's
 * content) do not fit in a JSON notification: they are described instead.
 */
function parsed(body: string, contentType: string | undefined, length: unknown): unknown {
  if (body === '') return null;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  if (contentType === undefined || contentType.startsWith('text/')) return body;
  return {
    message: `The answer is ${contentType}${length === undefined ? '' : `, ${String(length)} bytes`}: make the call without Elements-Async-Request to receive it`,
  };
}

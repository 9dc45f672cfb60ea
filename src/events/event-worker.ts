import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { Instance, InstanceRepository } from '../instances/instance-repository.ts';
import { failureText, rejectsCredentials } from '../platform/errors.ts';
import type { EventRepository } from './event-repository.ts';
import type { AsyncHubCalls } from './async-hub-calls.ts';
import { DELIVER_JOB, POLL_JOB, type EventService } from './event-service.ts';
import { eventSettings } from './event-settings.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import { objectsByName, shapeEventObjects } from './event-shaping.ts';
import { isDatabaseUnavailable } from '../store/unavailable.ts';
import { REMOVE_WEBHOOK_JOB, type WebhookRemovals } from './webhook-removals.ts';

export interface EventWorkerDeps {
  queue: JobQueue;
  events: EventRepository;
  service: EventService;
  /** Asynchronous hub calls whose process stopped are answered from here. */
  asyncCalls: Pick<AsyncHubCalls, 'recoverAbandoned'>;
  instances: InstanceRepository;
  /** Marks an instance invalid (and tells every node's caches). */
  markInvalid: (instance: Instance) => Promise<void>;
  registry: ElementRegistry;
  clock: Clock;
  logger: Logger;
  /** How often the scheduler looks for due polls and deliveries. */
  tickMs: number;
  /** Deliveries sent at once by this process. */
  deliveryConcurrency: number;
  /** Polls run at once by this process. */
  pollConcurrency: number;
  transformations: TransformationService;
  removals: WebhookRemovals;
}

/**
 * The worker side of events: a scheduler tick that queues due polls (each instance's poll is a
 * singleton job, so no poll runs twice at once, whatever the number of workers) and due or
 * orphaned deliveries; and the job handlers that poll and deliver.
 *
 * The tick runs every `tickMs`, and also early when the next poll falls due before the next
 * tick, so a poll starts close to its due time rather than up to a whole tick late. Early ticks
 * are at least a tenth of a tick apart, which bounds their cost when many polls fall due.
 */
export class EventWorker {
  #timer: NodeJS.Timeout | undefined;
  #early: { timer: NodeJS.Timeout; at: number } | undefined;
  #ticking = false;
  #stopped = false;

  constructor(private readonly deps: EventWorkerDeps) {}

  async start(): Promise<void> {
    // Changes made while no worker ran reached no webhook intake: catch up on them first.
    await this.deps.events.catchUpWebhooks(this.deps.clock.now());
    await this.deps.queue.work(POLL_JOB, (p) => this.poll(Number(p.instanceId)), { concurrency: this.deps.pollConcurrency });
    await this.deps.queue.work(DELIVER_JOB, (p) => this.deps.service.deliver(String(p.deliveryId)), { concurrency: this.deps.deliveryConcurrency });
    await this.deps.queue.work(REMOVE_WEBHOOK_JOB, (p) => this.deps.removals.attempt(String(p.removalId)), { concurrency: 2 });
    this.#timer = setInterval(() => void this.tick(), this.deps.tickMs);
    this.#timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    clearTimeout(this.#early?.timer);
    await this.deps.queue.stop();
  }

  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const now = this.deps.clock.now();
      // Queued side by side: on PostgreSQL each enqueue is a round trip, and a poll's lateness
      // is the tick's own duration.
      const polls = await this.deps.events.claimDuePolls(now, 500);
      await Promise.all(polls.map((id) => this.deps.queue.enqueue(POLL_JOB, { instanceId: id }, { singletonKey: String(id) })));
      // Deliveries whose job was lost with a crashed process are found again here.
      const deliveries = await this.deps.events.dueDeliveries(now, 500);
      await Promise.all(deliveries.map((id) => this.deps.queue.enqueue(DELIVER_JOB, { deliveryId: id }, this.deps.service.jobOptions(id))));
      await this.deps.asyncCalls.recoverAbandoned();
      await this.deps.removals.requeueOverdue(now);
      await this.#tickEarlyForNextPoll();
    } catch (err) {
      // A database that does not answer is told once a tick, without a stack: it is not a bug.
      if (isDatabaseUnavailable(err)) this.deps.logger.warn({ err: (err as Error).message }, 'event scheduler tick failed: the database does not answer');
      else this.deps.logger.error({ err }, 'event scheduler tick failed');
    } finally {
      this.#ticking = false;
    }
  }

  async #tickEarlyForNextPoll(): Promise<void> {
    const next = await this.deps.events.nextPollAt();
    if (next === undefined || this.#stopped) return;
    const now = this.deps.clock.now().getTime();
    const wait = Math.max(Date.parse(next) - now, this.deps.tickMs / 10);
    if (wait >= this.deps.tickMs) return;
    const at = Date.now() + wait;
    if (this.#early && this.#early.at <= at) return;
    clearTimeout(this.#early?.timer);
    const timer = setTimeout(() => {
      this.#early = undefined;
      void this.tick();
    }, wait);
    timer.unref();
    this.#early = { timer, at };
  }

  /**
   * One poll of one instance. The cursor moves in the same transaction that records the events,
   * so a failure anywhere leaves the cursor where it was: the next poll sees the changes again.
   */
  async poll(instanceId: number): Promise<void> {
    const instance = await this.deps.instances.find(instanceId);
    const source = await this.deps.events.source(instanceId);
    // A webhook source polls too, to catch up on what its webhooks missed (event-sources.ts).
    // An instance whose credentials the vendor refused is not polled: every poll would be one
    // more failed login towards the vendor's lockout of that user. A credentials change that
    // checks out makes it valid again.
    if (!instance || !source || instance.disabled || !instance.valid) return;
    const element = this.deps.registry.module(instance.elementKey)!;
    if (!element.events) return;
    const settings = eventSettings(instance.configuration, element.events.defaultObjects);
    const now = this.deps.clock.now();
    try {
      const cursor = source.cursor ? (JSON.parse(source.cursor) as unknown) : null;
      const result = await element.events.poll(this.deps.service.context(instance), settings.objects, cursor);
      // Notifications carry objects in the instance's own shape when a transformation defines one.
      await shapeEventObjects(this.deps.transformations, instance, result.events);
      await this.deps.service.record(instance, 'polling', result.events, objectsByName(settings.objects), (repo) =>
        repo.pollSucceeded(instanceId, result.cursor, now),
      );
    } catch (err) {
      const message = failureText(err);
      await this.deps.events.pollFailed(instanceId, message, now);
      if (rejectsCredentials(err)) {
        await this.deps.markInvalid(instance);
        this.deps.logger.warn({ instanceId, err: message }, 'the vendor refused the credentials; polling stops until they are changed');
        return;
      }
      this.deps.logger.warn({ instanceId, err: message }, 'poll failed; the cursor stays and the next poll tries again');
    }
  }
}

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { ElementRegistry } from '../elements/registry.ts';
import type { HubContext, HubInstance } from '../hubs/hub-contract.ts';
import type { EnqueueOptions, JobQueue } from '../jobs/job-queue.ts';
import type { Clock } from '../platform/clock.ts';
import { ApiError, failureText, rejectsCredentials } from '../platform/errors.ts';
import { withinTimeLimit } from '../platform/time-limit.ts';
import type { NewWebhookRemoval, WebhookRemovalRepository } from './webhook-removal-repository.ts';

export const REMOVE_WEBHOOK_JOB = 'events.remove-webhook';

/** A removal the vendor could not do is tried again for this long after the first attempt, then given up. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** The wait before the second attempt; it doubles with each failure, up to an hour. */
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 3600_000;
/**
 * How long a deletion waits for the vendor to remove its webhook before leaving the removal to
 * the worker: the vendor's own timeout (15 s by default) is meant for calls a user waits for the
 * answer of, and a vendor that does not answer would hold every deletion that long.
 */
export const REMOVE_NOW_WAIT_MS = 5000;
/** A due removal still waiting this long after its time lost its job (its process died): queued again. */
const OVERDUE_MS = 10 * 60_000;

/** The vendor webhook of an instance, and the instance as its element sees it. */
export interface WebhookOwner {
  organizationId: number;
  elementKey: string;
  instance: HubInstance;
}

export interface WebhookRemovalsDeps {
  repo: WebhookRemovalRepository;
  registry: ElementRegistry;
  queue: JobQueue;
  /** The vendor context of an instance that may no longer exist. */
  contextOf: (elementKey: string, instance: HubInstance) => HubContext;
  clock: Clock;
  logger: Logger;
  /** Counts each attempt by outcome: removed, deferred (tried again later), left (given up). */
  outcomes: Pick<Counter<'outcome'>, 'inc'>;
}

/** The wait after the `attempts`-th failed attempt. */
export const retryDelayMs = (attempts: number): number => Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);

/**
 * Whether a failed removal may succeed later: the vendor did not answer, failed (5xx) or asked
 * to wait (429). A refusal (401, 403, a lockout, any other 4xx) would only be repeated, and a
 * repeated 401 feeds the vendor's login lockout.
 */
function worthRetrying(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  if (rejectsCredentials(err)) return false;
  return err.status >= 500 || err.code === 'PROVIDER_RATE_LIMITED' || err.code === 'PROVIDER_UNREACHABLE';
}

/**
 * Removes the vendor webhooks of deleted instances (and of instances whose events were turned
 * off or switched to polling). The removal is tried at once, or left to the worker from the start
 * for the instances of a deleted account or user. When the vendor cannot do it now, it is stored
 * with what a later attempt needs (the instance's configuration, encrypted) and tried again by
 * the worker, with waits that double up to an hour, for a day. A webhook left behind would keep
 * the vendor calling an intake URL that no longer answers for anyone.
 */
export class WebhookRemovals {
  constructor(private readonly deps: WebhookRemovalsDeps) {}

  /**
   * Removes the webhook now, or stores its removal for later when the vendor may do it then: when
   * it fails for now, or has not answered within `REMOVE_NOW_WAIT_MS`. An attempt that answers
   * after that goes on; the worker's finds the webhook gone, which is no error.
   * Throws only when the removal cannot be stored: the caller's deletion fails with it, and can be made again.
   */
  async remove(owner: WebhookOwner, vendorWebhookId: string, context: HubContext): Promise<void> {
    const log = { instanceId: owner.instance.id, vendorWebhookId };
    try {
      await withinTimeLimit(
        this.#unregister(owner.elementKey, context, vendorWebhookId),
        REMOVE_NOW_WAIT_MS,
        () => new ApiError('PROVIDER_TIMEOUT', `The vendor did not remove the webhook within ${REMOVE_NOW_WAIT_MS / 1000} s`),
      );
      this.#count('removed');
      return;
    } catch (err) {
      const text = failureText(err);
      if (!worthRetrying(err)) {
        this.#count('left');
        this.deps.logger.warn({ ...log, err: text }, 'removing the vendor webhook failed; it is not tried again: remove it in the vendor by hand');
        return;
      }
      const now = this.deps.clock.now();
      await this.#store({ ...owner, vendorWebhookId, attempts: 1, lastError: text, nextAttemptAt: new Date(now.getTime() + retryDelayMs(1)), now });
      this.#count('deferred');
      this.deps.logger.warn({ ...log, err: text }, 'removing the vendor webhook failed; the worker tries again');
    }
  }

  /** Leaves the removal to the worker, which tries it at once. */
  async later(owner: WebhookOwner, vendorWebhookId: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.#store({ ...owner, vendorWebhookId, attempts: 0, lastError: null, nextAttemptAt: now, now });
  }

  #store(removal: NewWebhookRemoval): Promise<string> {
    return this.deps.repo.add(removal, (id) => (trx) => this.#queue(id, { runAt: removal.nextAttemptAt, within: trx }));
  }

  /** Queues the next attempt at a removal; never twice while one waits (its singleton key). */
  #queue(id: string, options: Pick<EnqueueOptions, 'runAt' | 'within'> = {}): Promise<string | null> {
    return this.deps.queue.enqueue(REMOVE_WEBHOOK_JOB, { removalId: id }, { ...options, singletonKey: id });
  }

  /** The job: one more attempt at a stored removal. */
  async attempt(id: string): Promise<void> {
    const removal = await this.deps.repo.find(id);
    if (!removal) return;
    const log = { instanceId: removal.instance.id, vendorWebhookId: removal.vendorWebhookId, attempts: removal.attempts + 1 };
    try {
      await this.#unregister(removal.elementKey, this.deps.contextOf(removal.elementKey, removal.instance), removal.vendorWebhookId);
      await this.deps.repo.delete(id);
      this.#count('removed');
      this.deps.logger.info(log, 'a vendor webhook left to the worker is removed');
    } catch (err) {
      const text = failureText(err);
      const now = this.deps.clock.now();
      const nextAttemptAt = new Date(now.getTime() + retryDelayMs(removal.attempts + 1));
      if (!worthRetrying(err) || nextAttemptAt.getTime() > Date.parse(removal.createdAt) + GIVE_UP_AFTER_MS) {
        await this.deps.repo.delete(id);
        this.#count('left');
        this.deps.logger.warn({ ...log, err: text }, 'removing the vendor webhook failed for the last time: remove it in the vendor by hand');
        return;
      }
      await this.deps.repo.failed(id, removal.attempts + 1, nextAttemptAt, text, (trx) => this.#queue(id, { runAt: nextAttemptAt, within: trx }));
      this.#count('deferred');
      this.deps.logger.warn({ ...log, err: text }, 'removing the vendor webhook failed again; the worker tries again');
    }
  }

  #count(outcome: 'removed' | 'deferred' | 'left'): void {
    this.deps.outcomes.inc({ outcome });
  }

  /** Queues again the removals whose job was lost; a removal whose job waits is not queued twice (its singleton key). */
  async requeueOverdue(now: Date): Promise<void> {
    const ids = await this.deps.repo.overdue(new Date(now.getTime() - OVERDUE_MS), 100);
    for (const id of ids) await this.#queue(id);
  }

  async #unregister(elementKey: string, context: HubContext, vendorWebhookId: string): Promise<void> {
    await this.deps.registry.module(elementKey)?.events?.unregister?.(context, vendorWebhookId);
  }
}

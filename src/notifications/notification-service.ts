import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Identity } from '../auth/identity.ts';
import { parseWhere } from '../ceql/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { afterFailedAttempt, postCallback } from '../platform/callback-post.ts';
import { checkCallbackUrl } from '../platform/callback-url.ts';
import type { Clock } from '../platform/clock.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import type { OutboundPolicy } from '../platform/outbound-policy.ts';
import type { KeysetPosition } from '../store/keyset.ts';
import type { DeliveryRow, NotificationRepository, NotificationRow, NotificationScope, SubscriptionRow } from './notification-repository.ts';
import type { NewNotificationBody, NewSubscriptionBody, NotificationJson } from './schemas.ts';

/** The queue job that stands for one attempt at one delivery. */
export const NOTIFY_JOB = 'notifications.deliver';
/** Subscriptions one organization may have. */
const MAX_SUBSCRIPTIONS = 100;
/** How often a worker looks for deliveries whose queued attempt was lost, and how late one must be to count. */
const RECOVER_EVERY_MS = 60_000;
/** Notifications older than this are deleted, with their deliveries. */
const RETENTION_MS = 30 * 86_400_000;
/** Notifications deleted per statement when they pass their retention. */
const RETENTION_BATCH = 5000;

export interface NotificationServiceDeps {
  repo: NotificationRepository;
  queue: JobQueue;
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
  delivery: { baseDelayMs: number; timeoutMs: number };
  /** What a failed delivery of an account's subscriptions becomes: retried, or queued until redelivered. */
  failurePolicy: (accountId: number) => Promise<'retry' | 'queue'>;
  /** Counts each delivery attempt by outcome: delivered, retrying, queued or failed for good. */
  deliveryOutcomes?: Pick<Counter<'outcome'>, 'inc'>;
  /** Refuses a subscription URL that could never be delivered to. */
  outboundPolicy: OutboundPolicy;
}

const newId = (): string => randomBytes(12).toString('hex');

/** What a caller sees: the organization's, or their own account's outside the default one. */
export const notificationScope = (identity: Identity): NotificationScope => ({
  organizationId: identity.organizationId,
  accountId: identity.inDefaultAccount ? undefined : identity.user.accountId,
});

export function notificationJson(n: NotificationRow): NotificationJson {
  return {
    id: n.id,
    topic: n.topic,
    severity: n.severity as NotificationJson['severity'],
    message: n.message,
    ...(n.sender !== null && { from: n.sender }),
    acknowledged: n.acknowledged === 1,
    accountId: n.account_id,
    userId: n.user_id,
    createdDate: n.created_at,
  };
}

/**
 * Platform notifications (open-connectors-api.md §6.11): a message posted on a topic is stored and
 * POSTed to every webhook subscription to that topic, from an outbox of deliveries with the
 * retries and failure policy of event notifications (§6.8). A subscription whose delivery fails
 * for good is deactivated: what it hears afterwards is queued, and
 * `PUT /notifications/subscriptions/deliveries` sends the queued ones again.
 */
export class NotificationService {
  #recovery: NodeJS.Timeout | undefined;
  #lastPrune = 0;

  constructor(private readonly deps: NotificationServiceDeps) {}

  async post(identity: Identity, body: NewNotificationBody): Promise<NotificationRow> {
    const notification: NotificationRow = {
      id: newId(),
      organization_id: identity.organizationId,
      account_id: identity.user.accountId,
      user_id: identity.user.id,
      topic: body.topic,
      severity: body.severity ?? 'low',
      message: body.message,
      sender: body.from ?? null,
      acknowledged: 0,
      created_at: this.deps.clock.now().toISOString(),
    };
    const subscribers = await this.deps.repo.subscribersOf(identity.organizationId, identity.user.accountId, body.topic);
    // The notification and the first attempt of each delivery are stored together: a failure
    // leaves none of them, so the caller's retry posts it once.
    await this.deps.repo.post(notification, subscribers, newId, (within, id) =>
      this.deps.queue.enqueue(NOTIFY_JOB, { deliveryId: id }, { ...this.#jobOptions(id), within }),
    );
    return notification;
  }

  list(
    identity: Identity,
    filter: { topics?: readonly string[] | undefined; acknowledged?: boolean | undefined },
    limit: number,
    after?: KeysetPosition,
  ): Promise<NotificationRow[]> {
    return this.deps.repo.listNotifications(notificationScope(identity), filter, limit, after);
  }

  async notification(identity: Identity, id: string): Promise<NotificationRow> {
    const found = await this.deps.repo.findNotification(id, notificationScope(identity));
    if (!found) throw notFound(`No notification ${id}`);
    return found;
  }

  async acknowledge(identity: Identity, id: string): Promise<NotificationRow> {
    if (!(await this.deps.repo.acknowledge(id, notificationScope(identity)))) throw notFound(`No notification ${id}`);
    return this.notification(identity, id);
  }

  async deleteNotification(identity: Identity, id: string): Promise<void> {
    if (!(await this.deps.repo.deleteNotification(id, notificationScope(identity)))) throw notFound(`No notification ${id}`);
  }

  async subscribe(identity: Identity, body: NewSubscriptionBody): Promise<SubscriptionRow> {
    const url = body.config.url;
    if (url === null) throw badRequest('config.url is required: the URL each notification is POSTed to');
    checkCallbackUrl(url, 'config.url', this.deps.outboundPolicy);
    if ((await this.deps.repo.countSubscriptions(identity.organizationId)) >= MAX_SUBSCRIPTIONS)
      throw badRequest(`An organization has at most ${MAX_SUBSCRIPTIONS} notification subscriptions: delete one first`);
    return this.deps.repo.createSubscription(
      {
        id: newId(),
        organization_id: identity.organizationId,
        account_id: identity.user.accountId,
        user_id: identity.user.id,
        organization_wide: identity.inDefaultAccount ? 1 : 0,
        channel: body.channel,
        topics: JSON.stringify(body.topics),
        active: 1,
        created_at: this.deps.clock.now().toISOString(),
      },
      url,
    );
  }

  subscriptions(identity: Identity, limit: number, after?: KeysetPosition): Promise<SubscriptionRow[]> {
    return this.deps.repo.listSubscriptions(notificationScope(identity), limit, after);
  }

  async subscription(identity: Identity, id: string): Promise<SubscriptionRow> {
    const found = await this.deps.repo.findSubscription(id, notificationScope(identity));
    if (!found) throw notFound(`No notification subscription ${id}`);
    return found;
  }

  async unsubscribe(identity: Identity, id: string): Promise<void> {
    if (!(await this.deps.repo.deleteSubscription(id, notificationScope(identity)))) throw notFound(`No notification subscription ${id}`);
  }

  deliveries(identity: Identity, where: string | undefined, limit: number, after?: KeysetPosition): Promise<DeliveryRow[]> {
    return this.deps.repo.listDeliveries(notificationScope(identity), where === undefined ? undefined : parseWhere(where), limit, after);
  }

  /** Sends the matching queued and failed deliveries again; returns how many. */
  async redeliver(identity: Identity, where: string | undefined): Promise<number> {
    const ids = await this.deps.repo.redeliver(notificationScope(identity), where === undefined ? undefined : parseWhere(where), this.deps.clock.now());
    try {
      for (const id of ids) await this.deps.queue.enqueue(NOTIFY_JOB, { deliveryId: id }, this.#jobOptions(id));
    } catch (err) {
      // They are due and stored: the recovery queues them within a minute, and the answer says
      // what was done. Queued in the transaction instead, thousands of them would hold SQLite's
      // write lock for as long.
      this.deps.logger.warn(
        { err: (err as Error).message, deliveries: ids.length },
        'queueing redelivered notifications failed; the recovery queues them within a minute',
      );
    }
    return ids.length;
  }

  /** Sends deliveries in this process, and finds again those whose queued attempt was lost. */
  async start(): Promise<void> {
    await this.deps.queue.work(NOTIFY_JOB, (p) => this.deliver(String(p.deliveryId)), { concurrency: 4 });
    const recover = () =>
      this.recover().catch((err: Error) =>
        this.deps.logger.warn({ err: err.message }, 'looking for lost notification deliveries failed; it runs again in a minute'),
      );
    this.#recovery = setInterval(recover, RECOVER_EVERY_MS);
    this.#recovery.unref();
    void recover();
  }

  stop(): void {
    clearInterval(this.#recovery);
  }

  /** Queues the deliveries a minute overdue, and once an hour deletes notifications past retention. Returns how many were queued. */
  async recover(): Promise<number> {
    const now = this.deps.clock.now().getTime();
    const late = await this.deps.repo.dueBefore(new Date(now - RECOVER_EVERY_MS), 500);
    for (const id of late) await this.deps.queue.enqueue(NOTIFY_JOB, { deliveryId: id }, this.#jobOptions(id));
    if (now - this.#lastPrune >= 3_600_000) {
      this.#lastPrune = now;
      // Organization by organization, a batch a statement: a month of notifications in one
      // statement would hold SQLite's write lock for as long.
      const deleted = await this.deps.repo.deleteBefore(new Date(now - RETENTION_MS), RETENTION_BATCH);
      if (deleted) this.deps.logger.info({ deletedNotifications: deleted }, 'notifications past retention deleted');
    }
    return late.length;
  }

  /** One attempt at one delivery, if it is due and no other process has it. */
  async deliver(deliveryId: string): Promise<void> {
    const now = this.deps.clock.now();
    const d = await this.deps.repo.claim(deliveryId, now, this.deps.delivery.timeoutMs * 3);
    if (!d) return;
    let subscription: SubscriptionRow | undefined;
    try {
      const notification = await this.deps.repo.findNotificationById(d.notification_id);
      subscription = await this.deps.repo.findSubscription(d.subscription_id);
      // Both are deleted with their deliveries; one gone between the claim and here leaves nothing to send.
      if (!notification || !subscription) return;
      const body = JSON.stringify(notificationJson(notification));
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'switchboard-notifications/1',
        'Elements-Webhook-Id': d.id,
        'Elements-Webhook-Timestamp': String(Math.floor(now.getTime() / 1000)),
      };
      const url = this.deps.repo.sendUrl(subscription);
      const outcome = await postCallback(this.deps.http, url, body, headers, this.deps.delivery.timeoutMs, () => this.deps.clock.now().getTime());
      if (outcome.delivered) {
        await this.deps.repo.delivered(d, outcome.status, this.deps.clock.now());
        this.deps.deliveryOutcomes?.inc({ outcome: 'delivered' });
      } else await this.#failed(d, subscription.account_id, outcome.status, outcome.error, outcome.retryAfterMs);
    } catch (err) {
      // Whatever went wrong, the attempt counts: a delivery that failed before its POST must not
      // stay `sending` and be taken again and again without ever reaching the attempt cap.
      this.deps.logger.warn({ deliveryId: d.id, err: (err as Error).message }, 'notification delivery attempt failed before sending');
      await this.#failed(d, subscription?.account_id, null, `the notification could not be sent: ${(err as Error).message}`, 0);
    }
  }

  /** A failed attempt, and what follows it (`afterFailedAttempt`); `accountId`: the subscription's, when it was read. */
  async #failed(d: DeliveryRow, accountId: number | undefined, status: number | null, error: string, retryAfterMs: number): Promise<void> {
    const attempt = d.attempts + 1;
    const policy = accountId === undefined ? 'retry' : await this.deps.failurePolicy(accountId);
    const next = afterFailedAttempt(attempt, policy, { nowMs: this.deps.clock.now().getTime(), baseDelayMs: this.deps.delivery.baseDelayMs, retryAfterMs });
    await this.deps.repo.failed(d, status, error, next);
    this.deps.deliveryOutcomes?.inc({ outcome: next instanceof Date ? 'retrying' : next });
    if (next instanceof Date) {
      await this.deps.queue.enqueue(NOTIFY_JOB, { deliveryId: d.id }, { ...this.#jobOptions(d.id), runAt: next });
      return;
    }
    this.deps.logger.warn(
      { deliveryId: d.id, subscriptionId: d.subscription_id, attempts: attempt },
      next === 'queued'
        ? 'notification delivery failed; queued until redelivered (the account does not retry)'
        : 'notification delivery failed for good; its subscription is deactivated',
    );
  }

  /** A delivery's job is leased as long as the delivery itself, so a crash delays it by seconds, not minutes. */
  #jobOptions(deliveryId: string) {
    return { singletonKey: `notification:${deliveryId}`, leaseMs: this.deps.delivery.timeoutMs * 3 };
  }
}

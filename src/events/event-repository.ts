import { randomBytes } from 'node:crypto';
import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import { type KeysetPosition, newestFirst } from '../store/keyset.ts';
import type { AfterFailure } from '../platform/callback-post.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import { AAD, SEALED } from '../store/encrypted-columns.ts';
import { takeable } from '../store/outbox.ts';
import { hasUrlCredentials, maskUrlCredentials } from '../platform/url-credentials.ts';
import type { Database, DeliveriesTable, EventSourcesTable, EventsTable } from '../store/tables.ts';

export type EventSourceRow = Selectable<EventSourcesTable>;
export type EventRow = Selectable<EventsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
/** A delivery to store: `url` whole; the repository masks and seals it. */
export type NewDelivery = Omit<DeliveryRow, 'url_enc'>;

/** Whose events: an organization's, narrowed to one instance or to one account's instances. */
export interface EventScope {
  organizationId: number;
  instanceId?: number | undefined;
  accountId?: number | undefined;
}

export interface NewNotification {
  event: EventRow;
  delivery: DeliveryRow | undefined;
}

/**
 * SQL for event sources, the dedupe ledger, the event log and the delivery outbox. A webhook
 * secret is sealed and opened here and only here.
 */
export class EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /** A new secret for a webhook intake URL, as the columns that store it. */
  newWebhookSecret(): Pick<EventSourceRow, 'webhook_secret_hash' | 'webhook_secret_enc'> {
    const sealed = this.box.seal(SEALED.webhookSecret, randomBytes(24).toString('base64url'));
    return { webhook_secret_hash: sealed.hash, webhook_secret_enc: sealed.enc };
  }

  webhookSecret(row: EventSourceRow): string | undefined {
    return row.webhook_secret_enc && row.webhook_secret_hash
      ? this.box.open(SEALED.webhookSecret, { hash: row.webhook_secret_hash, enc: row.webhook_secret_enc })
      : undefined;
  }

  sourceByWebhookSecret(secret: string): Promise<EventSourceRow | undefined> {
    return this.db
      .selectFrom('event_sources')
      .selectAll()
      .where('webhook_secret_hash', '=', this.box.lookupHash(SEALED.webhookSecret, secret))
      .executeTakeFirst();
  }

  source(instanceId: number): Promise<EventSourceRow | undefined> {
    return this.db.selectFrom('event_sources').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
  }

  async upsertSource(row: EventSourceRow): Promise<void> {
    await this.db
      .insertInto('event_sources')
      .values(row)
      .onConflict((oc) =>
        oc.column('instance_id').doUpdateSet({
          kind: row.kind,
          interval_minutes: row.interval_minutes,
          next_poll_at: row.next_poll_at,
          registration: row.registration,
          vendor_webhook_id: row.vendor_webhook_id,
          webhook_secret_hash: row.webhook_secret_hash,
          webhook_secret_enc: row.webhook_secret_enc,
          last_error: row.last_error,
          last_error_at: row.last_error_at,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  async deleteSource(instanceId: number): Promise<void> {
    await this.db.deleteFrom('event_sources').where('instance_id', '=', instanceId).execute();
  }

  /** Pending deliveries of an instance that is going away will not be sent (the log keeps them). */
  async cancelDeliveries(instanceId: number, reason: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'failed', last_error: reason, locked_until: null })
      .where('instance_id', '=', instanceId)
      .where('status', 'in', ['pending', 'sending'])
      .execute();
  }

  /**
   * Instances whose poll is due. Moving `next_poll_at` forward in the same statement means a poll
   * is queued once per interval, whichever process ticks first: one UPDATE per distinct interval
   * among the due rows, not one per row.
   */
  async claimDuePolls(now: Date, limit: number): Promise<number[]> {
    const at = now.toISOString();
    // Polling sources, and webhook sources' catch-up polls.
    const due = this.db.selectFrom('event_sources').where('next_poll_at', '<=', at);
    const claimed: number[] = [];
    for (const { interval_minutes } of await due.select('interval_minutes').distinct().execute()) {
      if (claimed.length >= limit) break;
      const rows = await this.db
        .updateTable('event_sources')
        .set({ next_poll_at: new Date(now.getTime() + interval_minutes * 60_000).toISOString() })
        .where(
          'instance_id',
          'in',
          due
            .select('instance_id')
            .where('interval_minutes', '=', interval_minutes)
            .orderBy('next_poll_at')
            .limit(limit - claimed.length),
        )
        // Checked again on the row itself: another process's tick may have moved it meanwhile.
        .where('next_poll_at', '<=', at)
        .returning('instance_id')
        .execute();
      claimed.push(...rows.map((r) => r.instance_id));
    }
    return claimed;
  }

  /** When the next poll of any instance falls due. */
  async nextPollAt(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('event_sources')
      .select((eb) => eb.fn.min('next_poll_at').as('next'))
      .executeTakeFirst();
    return row?.next ?? undefined;
  }

  /** Makes every webhook source's catch-up poll due now (a worker starting after a pause). */
  async catchUpWebhooks(now: Date): Promise<void> {
    await this.db.updateTable('event_sources').set({ next_poll_at: now.toISOString() }).where('kind', '=', 'webhook').execute();
  }

  async pollSucceeded(instanceId: number, cursor: unknown, now: Date): Promise<void> {
    await this.db
      .updateTable('event_sources')
      .set({ cursor: JSON.stringify(cursor), last_poll_at: now.toISOString(), last_error: null, last_error_at: null })
      .where('instance_id', '=', instanceId)
      .execute();
  }

  async pollFailed(instanceId: number, message: string, now: Date): Promise<void> {
    await this.db
      .updateTable('event_sources')
      .set({ last_error: message.slice(0, 2000), last_error_at: now.toISOString(), last_poll_at: now.toISOString() })
      .where('instance_id', '=', instanceId)
      .execute();
  }

  /**
   * Records events atomically: new (object, version) pairs pass the dedupe ledger, become event
   * log rows and outbox rows, and the poll cursor moves, all in one transaction, so a crash
   * either loses nothing or repeats nothing.
   */
  async record(
    work: (trx: EventRepository, isNew: (instanceId: number, type: string, id: string, version: string) => Promise<boolean>) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const repo = new EventRepository(trx as unknown as Kysely<Database>, this.box);
      const now = new Date().toISOString();
      await work(repo, async (instanceId, type, id, version) => {
        const inserted = await trx
          .insertInto('event_dedupe')
          .values({ instance_id: instanceId, object_type: type, object_id: id, version, created_at: now })
          .onConflict((oc) => oc.columns(['instance_id', 'object_type', 'object_id', 'version']).doNothing())
          .returning('instance_id')
          .executeTakeFirst();
        return inserted !== undefined;
      });
    });
  }

  /** An event and its delivery; a callback URL with user info is stored masked, and sealed whole. */
  async insertEvent(event: EventRow, delivery: NewDelivery | undefined): Promise<void> {
    await this.db.insertInto('events').values(event).execute();
    if (delivery)
      await this.db
        .insertInto('deliveries')
        .values({ ...delivery, ...this.#sealedUrl(delivery.id, delivery.url) })
        .execute();
  }

  /**
   * An asynchronous hub call while it runs (open-connectors-api.md §6.10): its event, `RECEIVED`,
   * and its one delivery `held` until the answer is in (no sender claims a held delivery).
   */
  async holdAsync(event: EventRow, delivery: NewDelivery): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await new EventRepository(trx as unknown as Kysely<Database>, this.box).insertEvent(event, { ...delivery, status: 'held' });
    });
  }

  /**
   * The answer of an asynchronous call: its held delivery gets the body and falls due, its event
   * is dispatched. False when it was released already (a recovery or another node came first).
   */
  async releaseAsync(deliveryId: string, body: string, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const held = await trx
        .updateTable('deliveries')
        .set({ body, status: 'pending', next_attempt_at: now.toISOString() })
        .where('id', '=', deliveryId)
        .where('status', '=', 'held')
        .returning('event_id')
        .executeTakeFirst();
      if (!held) return false;
      await trx.updateTable('events').set({ status: 'DISPATCHED' }).where('id', '=', held.event_id).execute();
      return true;
    });
  }

  /** Held deliveries made before `before`: asynchronous calls whose process stopped while they ran. */
  staleHeld(before: string, limit: number): Promise<Pick<DeliveryRow, 'id' | 'event_id' | 'instance_id'>[]> {
    return this.db
      .selectFrom('deliveries')
      .select(['id', 'event_id', 'instance_id'])
      .where('status', '=', 'held')
      .where('created_at', '<', before)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  /** The URL a delivery is sent to, user info and all. */
  sendUrl(d: DeliveryRow): string {
    return d.url_enc ? this.box.cipher.decrypt(d.url_enc, AAD.deliveryUrl(d.id)) : d.url;
  }

  /**
   * Seals the URLs of deliveries written before URLs were sealed (migration 0007); each update
   * is conditional, so nodes starting together do it once. Returns how many were sealed.
   */
  async sealPlainDeliveryUrls(): Promise<number> {
    let sealed = 0;
    const rows = await this.db.selectFrom('deliveries').select(['id', 'url']).where('url_enc', 'is', null).where('url', 'like', '%@%').execute();
    for (const row of rows) {
      const columns = this.#sealedUrl(row.id, row.url);
      if (columns.url_enc === null) continue;
      const res = await this.db.updateTable('deliveries').set(columns).where('id', '=', row.id).where('url_enc', 'is', null).executeTakeFirst();
      sealed += Number(res.numUpdatedRows);
    }
    return sealed;
  }

  #sealedUrl(id: string, url: string): { url: string; url_enc: string | null } {
    return hasUrlCredentials(url) ? { url: maskUrlCredentials(url), url_enc: this.box.cipher.encrypt(url, AAD.deliveryUrl(id)) } : { url, url_enc: null };
  }

  /**
   * The event log, newest first, of an organization: of one instance, or of the instances of one
   * account (an account member sees no other account's events). Scoped in SQL.
   */
  listEvents(scope: EventScope, limit: number, offset: number, after?: KeysetPosition): Promise<EventRow[]> {
    return newestFirst(this.#scoped(this.db.selectFrom('events').selectAll(), scope), after)
      .limit(limit)
      .offset(offset)
      .execute();
  }

  event(scope: EventScope, id: string): Promise<EventRow | undefined> {
    return this.#scoped(this.db.selectFrom('events').selectAll(), scope).where('id', '=', id).executeTakeFirst();
  }

  /** The events of `scope` made in `[from, to)`, for counting: scoped as the event log is. */
  #made(scope: EventScope, from: string, to: string) {
    return this.#scoped(this.db.selectFrom('events').selectAll(), scope)
      .clearSelect()
      .where('events.created_at', '>=', from)
      .where('events.created_at', '<', to);
  }

  /**
   * Events per period in `[from, to)`: `periodLength` leading characters of the event's ISO time
   * (16 a minute, 13 an hour, 10 a day, 7 a month).
   */
  countsByPeriod(scope: EventScope, from: string, to: string, periodLength: number): Promise<{ period: string; n: number | string }[]> {
    const period = sql<string>`substr(events.created_at, 1, ${sql.lit(periodLength)})`;
    return this.#made(scope, from, to)
      .select([period.as('period'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(period)
      .orderBy(period)
      .execute();
  }

  /** Events per instance in `[from, to)`. */
  countsByInstance(scope: EventScope, from: string, to: string): Promise<{ key: number; n: number | string }[]> {
    return this.#made(scope, from, to)
      .select(['events.instance_id as key', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('events.instance_id')
      .orderBy('events.instance_id')
      .execute();
  }

  /** Events per account of their instance in `[from, to)`, of `accountIds` only when given (a deleted instance's count in none). */
  countsByAccount(scope: EventScope, from: string, to: string, accountIds?: readonly number[]): Promise<{ key: number; n: number | string }[]> {
    return this.#made(scope, from, to)
      .innerJoin('instances', 'instances.id', 'events.instance_id')
      .select(['instances.account_id as key', (eb) => eb.fn.countAll<number | string>().as('n')])
      .$if(accountIds !== undefined, (q) => q.where('instances.account_id', 'in', [...accountIds!]))
      .groupBy('instances.account_id')
      .orderBy('instances.account_id')
      .execute();
  }

  #scoped<Q extends SelectQueryBuilder<Database, 'events', EventRow>>(q: Q, scope: EventScope): Q {
    let scoped = q.where('events.organization_id', '=', scope.organizationId) as Q;
    if (scope.instanceId !== undefined) scoped = scoped.where('events.instance_id', '=', scope.instanceId) as Q;
    if (scope.accountId !== undefined) {
      scoped = scoped.where(
        'events.instance_id',
        'in',
        this.db
          .selectFrom('instances')
          .select('instances.id')
          .where('instances.organization_id', '=', scope.organizationId)
          .where('instances.account_id', '=', scope.accountId),
      ) as Q;
    }
    return scoped;
  }

  /** The deliveries of many events in one query, by event id. */
  async deliveriesOf(eventIds: string[]): Promise<Map<string, DeliveryRow[]>> {
    const byEvent = new Map<string, DeliveryRow[]>(eventIds.map((id) => [id, []]));
    if (eventIds.length === 0) return byEvent;
    for (const d of await this.db.selectFrom('deliveries').selectAll().where('event_id', 'in', eventIds).orderBy('created_at').execute()) {
      byEvent.get(d.event_id)!.push(d);
    }
    return byEvent;
  }

  delivery(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Pending deliveries whose time has come (and `sending` ones whose sender died). */
  async dueDeliveries(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('deliveries').select('id').where(takeable(now)).orderBy('next_attempt_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /** Takes a delivery for sending; only one process can win it. */
  async claimDelivery(id: string, now: Date, leaseMs: number): Promise<DeliveryRow | undefined> {
    const res = await this.db
      .updateTable('deliveries')
      .set({ status: 'sending', locked_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', '=', id)
      .where(takeable(now))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? this.delivery(id) : undefined;
  }

  async deliveryDone(d: DeliveryRow, status: number, now: Date): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'delivered', attempts: d.attempts + 1, last_status: status, last_error: null, delivered_at: now.toISOString(), locked_until: null })
      .where('id', '=', d.id)
      .execute();
    await this.db.updateTable('events').set({ status: 'NOTIFIED' }).where('id', '=', d.event_id).execute();
  }

  /**
   * A failed attempt, and what follows it: a retry at a time (`pending`), nothing more (`failed`),
   * or nothing until a redelivery (`queued`, the account's policy). An event whose delivery will
   * not be retried reads FAILED.
   */
  async deliveryFailed(d: DeliveryRow, status: number | null, error: string, next: AfterFailure): Promise<void> {
    const retryAt = next instanceof Date ? next : undefined;
    await this.db
      .updateTable('deliveries')
      .set({
        status: next instanceof Date ? 'pending' : next,
        attempts: d.attempts + 1,
        last_status: status,
        last_error: error.slice(0, 2000),
        next_attempt_at: (retryAt ?? new Date()).toISOString(),
        locked_until: null,
      })
      .where('id', '=', d.id)
      .execute();
    if (!retryAt) await this.db.updateTable('events').set({ status: 'FAILED' }).where('id', '=', d.event_id).execute();
  }

  async redeliver(eventId: string, now: Date): Promise<string[]> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), locked_until: null })
      .where('event_id', '=', eventId)
      .where('status', 'in', ['failed', 'queued', 'delivered'])
      .execute();
    await this.db.updateTable('events').set({ status: 'DISPATCHED' }).where('id', '=', eventId).execute();
    return (await this.deliveriesOf([eventId]))
      .get(eventId)!
      .filter((d) => d.status === 'pending')
      .map((d) => d.id);
  }
}

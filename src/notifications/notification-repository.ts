import { type Kysely, type RawBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import type { Expr, Value } from '../ceql/ast.ts';
import type { AfterFailure } from '../platform/callback-post.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import { deleteInBatchesByOrganization } from '../store/batched-delete.ts';
import { hasUrlCredentials, maskUrlCredentials } from '../platform/url-credentials.ts';
import { ceqlToSql, type SqlField } from '../store/ceql-sql.ts';
import { AAD } from '../store/encrypted-columns.ts';
import { takeable } from '../store/outbox.ts';
import { type KeysetPosition, newestFirst } from '../store/keyset.ts';
import type { Database, NotificationDeliveryTable, NotificationSubscriptionTable, NotificationTable } from '../store/tables.ts';

export type NotificationRow = Selectable<NotificationTable>;
export type SubscriptionRow = Selectable<NotificationSubscriptionTable>;
export type DeliveryRow = Selectable<NotificationDeliveryTable>;

/** Whose notifications, subscriptions and deliveries a caller sees: the organization's, or one account's. */
export interface NotificationScope {
  organizationId: number;
  accountId?: number | undefined;
}

/** What `where` on deliveries may name, and the column each is. */
const DELIVERY_FIELDS: Readonly<Record<string, SqlField>> = {
  channel: { kind: 'text', column: 'channel' },
  status: { kind: 'text', column: 'status' },
  topic: { kind: 'text', column: 'topic' },
  'config.url': { kind: 'text', column: 'url' },
  subscriptionId: { kind: 'text', column: 'subscription_id' },
  notificationId: { kind: 'text', column: 'notification_id' },
};

/**
 * Platform notifications, their subscriptions and their deliveries. A subscription URL with
 * credentials is encrypted here and nowhere else; every list is scoped, filtered and paged in SQL.
 */
export class NotificationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /**
   * Stores a notification with one delivery to each subscription in `subscriptions`, in one
   * transaction: `pending` to an active subscription, `queued` to one whose deliveries failed.
   * `queue` runs in that transaction for each pending one (it queues its first attempt).
   */
  async post(
    notification: NotificationRow,
    subscriptions: readonly SubscriptionRow[],
    newId: () => string,
    queue: (trx: Kysely<Database>, deliveryId: string) => Promise<unknown>,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('notifications').values(notification).execute();
      for (const s of subscriptions) {
        const id = newId();
        await tx
          .insertInto('notification_deliveries')
          .values({
            id,
            organization_id: notification.organization_id,
            notification_id: notification.id,
            subscription_id: s.id,
            channel: s.channel,
            topic: notification.topic,
            url: s.url,
            status: s.active ? 'pending' : 'queued',
            attempts: 0,
            next_attempt_at: notification.created_at,
            locked_until: null,
            last_status: null,
            last_error: null,
            created_at: notification.created_at,
            delivered_at: null,
          })
          .execute();
        if (s.active) await queue(tx, id);
      }
    });
  }

  /** The subscriptions of the organization that hear `topic` from `accountId`: its own account's and the organization-wide ones. */
  async subscribersOf(organizationId: number, accountId: number, topic: string): Promise<SubscriptionRow[]> {
    const rows = await this.db
      .selectFrom('notification_subscriptions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where((eb) => eb.or([eb('account_id', '=', accountId), eb('organization_wide', '=', 1)]))
      .execute();
    // Topics are few per subscription and subscriptions few per organization: matched here.
    return rows.filter((s) => (JSON.parse(s.topics) as string[]).includes(topic));
  }

  async findNotification(id: string, scope: NotificationScope): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('id', '=', id).where(inScope(scope)).executeTakeFirst();
  }

  /** One notification, whoever's (a worker's read). */
  async findNotificationById(id: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Deletes the notifications made before `before`, with their deliveries, organization by
   * organization, `batch` a statement (by the date index); returns how many.
   */
  deleteBefore(before: Date, batch: number): Promise<number> {
    return deleteInBatchesByOrganization(
      this.db,
      async (organizationId, limit) => {
        const res = await this.db
          .deleteFrom('notifications')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('notifications')
              .select('id')
              .where('organization_id', '=', organizationId)
              .where('created_at', '<', before.toISOString())
              .limit(limit),
          )
          .executeTakeFirst();
        return Number(res.numDeletedRows);
      },
      batch,
    );
  }

  listNotifications(
    scope: NotificationScope,
    filter: { topics?: readonly string[] | undefined; acknowledged?: boolean | undefined },
    limit: number,
    after?: KeysetPosition,
  ): Promise<NotificationRow[]> {
    const q = this.db
      .selectFrom('notifications')
      .selectAll()
      .where(inScope(scope))
      .$if(filter.topics !== undefined, (q) => q.where('topic', 'in', filter.topics!))
      .$if(filter.acknowledged !== undefined, (q) => q.where('acknowledged', '=', filter.acknowledged ? 1 : 0));
    return newestFirst(q, after).limit(limit).execute();
  }

  async acknowledge(id: string, scope: NotificationScope): Promise<boolean> {
    const res = await this.db.updateTable('notifications').set({ acknowledged: 1 }).where('id', '=', id).where(inScope(scope)).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Deletes a notification and, with it, its deliveries not yet sent. */
  async deleteNotification(id: string, scope: NotificationScope): Promise<boolean> {
    const res = await this.db.deleteFrom('notifications').where('id', '=', id).where(inScope(scope)).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async createSubscription(row: Omit<SubscriptionRow, 'url' | 'url_enc'>, url: string): Promise<SubscriptionRow> {
    const full = {
      ...row,
      url: maskUrlCredentials(url),
      url_enc: hasUrlCredentials(url) ? this.box.cipher.encrypt(url, AAD.subscriptionUrl(row.id)) : null,
    };
    await this.db.insertInto('notification_subscriptions').values(full).execute();
    return full;
  }

  async countSubscriptions(organizationId: number): Promise<number> {
    const row = await this.db
      .selectFrom('notification_subscriptions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findSubscription(id: string, scope?: NotificationScope): Promise<SubscriptionRow | undefined> {
    const q = this.db.selectFrom('notification_subscriptions').selectAll().where('id', '=', id);
    return (scope ? q.where(inScope(scope)) : q).executeTakeFirst();
  }

  listSubscriptions(scope: NotificationScope, limit: number, after?: KeysetPosition): Promise<SubscriptionRow[]> {
    return newestFirst(this.db.selectFrom('notification_subscriptions').selectAll().where(inScope(scope)), after)
      .limit(limit)
      .execute();
  }

  /** Deletes a subscription and its deliveries. */
  async deleteSubscription(id: string, scope: NotificationScope): Promise<boolean> {
    const res = await this.db.deleteFrom('notification_subscriptions').where('id', '=', id).where(inScope(scope)).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** The URL a subscription's deliveries go to, credentials included. */
  sendUrl(s: SubscriptionRow): string {
    return s.url_enc === null ? s.url : this.box.cipher.decrypt(s.url_enc, AAD.subscriptionUrl(s.id));
  }

  /** The deliveries of the subscriptions a caller sees, newest first, filtered by CEQL `where`. */
  listDeliveries(scope: NotificationScope, where: Expr | undefined, limit: number, after?: KeysetPosition): Promise<DeliveryRow[]> {
    return newestFirst(this.#deliveriesIn(scope, where), after).limit(limit).execute();
  }

  /**
   * Sends again the queued and failed deliveries a caller sees that match `where`, and makes
   * their subscriptions active again. Returns their ids.
   */
  async redeliver(scope: NotificationScope, where: Expr | undefined, now: Date): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await this.#deliveriesIn(scope, where, tx).where('status', 'in', ['queued', 'failed']).select(['id', 'subscription_id']).execute();
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      for (let i = 0; i < ids.length; i += 500) {
        await tx
          .updateTable('notification_deliveries')
          .set({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), locked_until: null })
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
      }
      const subscriptions = [...new Set(rows.map((r) => r.subscription_id))];
      for (let i = 0; i < subscriptions.length; i += 500) {
        await tx
          .updateTable('notification_subscriptions')
          .set({ active: 1 })
          .where('id', 'in', subscriptions.slice(i, i + 500))
          .execute();
      }
      return ids;
    });
  }

  #deliveriesIn(scope: NotificationScope, where: Expr | undefined, db: Kysely<Database> = this.db) {
    return db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('organization_id', '=', scope.organizationId)
      .$if(scope.accountId !== undefined, (q) =>
        q.where('subscription_id', 'in', (eb) => eb.selectFrom('notification_subscriptions').select('id').where('account_id', '=', scope.accountId!)),
      )
      .$if(where !== undefined, (q) => q.where(ceqlToSql(withMaskedUrls(where!), DELIVERY_FIELDS) as RawBuilder<SqlBool>));
  }

  async delivery(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Takes a due delivery for one attempt (or one whose sender's lease ran out); undefined when another process has it. */
  async claim(id: string, now: Date, leaseMs: number): Promise<DeliveryRow | undefined> {
    const res = await this.db
      .updateTable('notification_deliveries')
      .set({ status: 'sending', locked_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('id', '=', id)
      .where(takeable(now))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? this.delivery(id) : undefined;
  }

  async delivered(d: DeliveryRow, status: number, now: Date): Promise<void> {
    await this.db
      .updateTable('notification_deliveries')
      .set({ status: 'delivered', attempts: d.attempts + 1, last_status: status, last_error: null, delivered_at: now.toISOString(), locked_until: null })
      .where('id', '=', d.id)
      .execute();
  }

  /**
   * A failed attempt and what follows: a retry at a time (`pending`), a wait until redelivered
   * (`queued`: the account's policy), or nothing more (`failed`), which also deactivates the
   * subscription, so that what it hears next is queued instead of sent (§6.8).
   */
  async failed(d: DeliveryRow, status: number | null, error: string, next: AfterFailure): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('notification_deliveries')
        .set({
          status: next instanceof Date ? 'pending' : next,
          attempts: d.attempts + 1,
          last_status: status,
          last_error: error.slice(0, 2000),
          next_attempt_at: (next instanceof Date ? next : new Date()).toISOString(),
          locked_until: null,
        })
        .where('id', '=', d.id)
        .execute();
      if (next === 'failed') await tx.updateTable('notification_subscriptions').set({ active: 0 }).where('id', '=', d.subscription_id).execute();
    });
  }

  /** Pending deliveries due before `before` (a lost queue job is found again by this). */
  async dueBefore(before: Date, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('notification_deliveries').select('id').where(takeable(before)).limit(limit).execute();
    return rows.map((r) => r.id);
  }
}

/**
 * `where` with each URL compared to `config.url` masked as the column holds it, so that a URL
 * matches whether it is given with its credentials or as shown.
 */
function withMaskedUrls(expr: Expr): Expr {
  const mask = (v: Value): Value => (v.kind === 'string' ? { kind: 'string', value: maskUrlCredentials(v.value) } : v);
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, left: withMaskedUrls(expr.left), right: withMaskedUrls(expr.right) };
    case 'not':
      return { ...expr, expr: withMaskedUrls(expr.expr) };
    case 'compare':
      return expr.field.name === 'config.url' ? { ...expr, value: mask(expr.value) } : expr;
    case 'in':
      return expr.field.name === 'config.url' ? { ...expr, values: expr.values.map(mask) } : expr;
    default:
      return expr;
  }
}

/** The rows of a scope: the organization's, and one account's unless the caller sees them all. */
function inScope(scope: NotificationScope): RawBuilder<SqlBool> {
  return scope.accountId === undefined
    ? sql<SqlBool>`organization_id = ${scope.organizationId}`
    : sql<SqlBool>`(organization_id = ${scope.organizationId} and account_id = ${scope.accountId})`;
}

import type { Kysely, Migration } from 'kysely';

/**
 * Platform notifications (`/notifications`): messages posted on a topic, the webhook
 * subscriptions that receive a topic's messages, and one delivery per message and subscription.
 * A subscription's URL is shown with any credentials masked (`url`) and, when it has some, kept
 * whole only encrypted (`url_enc`), as the event deliveries' URLs are. A delivery copies what
 * `GET /notifications/subscriptions/deliveries?where=` filters by (channel, topic, masked URL),
 * so that the list is filtered and paged in SQL without a join.
 */
export const m0016Notifications: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('sender', 'text')
      .addColumn('acknowledged', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notifications_organization').on('notifications').columns(['organization_id', 'created_at', 'id']).execute();

    await db.schema
      .createTable('notification_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('organization_wide', 'integer', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('topics', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('url_enc', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('notification_subscriptions_organization')
      .on('notification_subscriptions')
      .columns(['organization_id', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
      .addColumn('subscription_id', 'text', (c) => c.notNull().references('notification_subscriptions.id').onDelete('cascade'))
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema
      .createIndex('notification_deliveries_organization')
      .on('notification_deliveries')
      .columns(['organization_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('notification_deliveries_subscription').on('notification_deliveries').column('subscription_id').execute();
    await db.schema.createIndex('notification_deliveries_due').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('notification_deliveries_notification').on('notification_deliveries').column('notification_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['notification_deliveries', 'notification_subscriptions', 'notifications']) await db.schema.dropTable(t).execute();
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * Vendor webhooks of deleted instances that the vendor could not remove at the time (it did not
 * answer, or answered 5xx or 429). Each row keeps what a retry needs, the deleted instance's
 * configuration and vendor facts encrypted in `context_enc`, until the webhook is gone or a day
 * has passed. The worker takes due rows by `next_attempt_at`.
 */
export const m0017WebhookRemovals: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('webhook_removals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('element_key', 'text', (c) => c.notNull())
      .addColumn('vendor_webhook_id', 'text', (c) => c.notNull())
      .addColumn('context_enc', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_removals_due').on('webhook_removals').column('next_attempt_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('webhook_removals').execute();
  },
};

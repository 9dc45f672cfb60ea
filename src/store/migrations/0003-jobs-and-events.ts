import type { Kysely, Migration } from 'kysely';

export const m0003JobsAndEvents: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('singleton_key', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('retry_limit', 'integer', (c) => c.notNull())
      .addColumn('lease_ms', 'integer', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['name', 'status', 'run_at']).execute();

    await db.schema
      .createTable('event_sources')
      .addColumn('instance_id', 'integer', (c) => c.primaryKey().references('instances.id').onDelete('cascade'))
      .addColumn('organization_id', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('interval_minutes', 'integer', (c) => c.notNull())
      .addColumn('next_poll_at', 'text')
      .addColumn('cursor', 'text')
      .addColumn('last_poll_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'text')
      .addColumn('webhook_secret_hash', 'text')
      .addColumn('webhook_secret_enc', 'text')
      .addColumn('vendor_webhook_id', 'text')
      .addColumn('registration', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('event_sources_due').on('event_sources').columns(['kind', 'next_poll_at']).execute();

    await db.schema
      .createTable('event_dedupe')
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_dedupe_pk', ['instance_id', 'object_type', 'object_id', 'version'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('element_key', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('event_date', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('provider_data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_instance').on('events').columns(['organization_id', 'instance_id', 'created_at']).execute();

    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull().references('events.id').onDelete('cascade'))
      .addColumn('organization_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['deliveries', 'events', 'event_dedupe', 'event_sources', 'jobs']) await db.schema.dropTable(t).execute();
  },
};

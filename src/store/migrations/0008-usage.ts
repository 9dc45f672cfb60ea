import type { Kysely, Migration } from 'kysely';

/**
 * One row per API call (`GET /usage`). No foreign key to the instance: usage outlives a deleted
 * instance. Kept `SWITCHBOARD_USAGE_RETENTION_DAYS` days; `usage_date` serves both the newest-first
 * lists of an organization and the retention's deletes.
 */
export const m0008Usage: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer')
      .addColumn('element_key', 'text')
      .addColumn('hub', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('route', 'text', (c) => c.notNull())
      .addColumn('request_uri', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('process_time_ms', 'double precision', (c) => c.notNull())
      .addColumn('vendor_calls', 'integer', (c) => c.notNull())
      .addColumn('vendor_time_ms', 'double precision', (c) => c.notNull())
      .addColumn('request_ip', 'text', (c) => c.notNull())
      .addColumn('usage_date', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('usage_org_date').on('usage').columns(['organization_id', 'usage_date', 'id']).execute();
    await db.schema.createIndex('usage_request').on('usage').columns(['request_id']).execute();
    await db.schema.createIndex('usage_date').on('usage').columns(['usage_date']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('usage').execute();
  },
};

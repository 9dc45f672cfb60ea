import type { Kysely, Migration } from 'kysely';

/**
 * One row per API call (`GET /usage`), written on every request: the row is kept cheap to insert.
 * The id is the rowid (SQLite) or a bigint identity (PostgreSQL: 2^31 calls come quickly), so
 * inserts append; besides it only two indexes: an organization's calls by date (lists and the
 * retention's deletes, organization by organization) and the request id (`GET /usage/{id}`). No
 * foreign key to the instance: usage outlives a deleted instance.
 */
export const m0008Usage: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
    await db.schema
      .createTable('usage')
      .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
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
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('usage').execute();
  },
};

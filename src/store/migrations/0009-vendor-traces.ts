import type { Kysely, Migration } from 'kysely';

/**
 * One row per vendor call of an instance with `traceLoggingEnabled`: what was sent and what came
 * back, secrets redacted, bodies cut at 64 KB. Linked to its API call's usage record by the request
 * id (a poll's calls have none). Kept 24 hours or up to a size per organization (`bytes` sums to
 * it). No foreign key to the instance: the trace of a deleted instance ages out like the others.
 */
export const m0009VendorTraces: Migration = {
  async up(db: Kysely<any>) {
    const postgres = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
    await db.schema
      .createTable('vendor_traces')
      .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('error', 'text')
      .addColumn('duration_ms', 'double precision', (c) => c.notNull())
      .addColumn('request_headers', 'text', (c) => c.notNull())
      .addColumn('request_body', 'text')
      .addColumn('response_headers', 'text')
      .addColumn('response_body', 'text')
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('vendor_traces_org').on('vendor_traces').columns(['organization_id', 'id']).execute();
    await db.schema.createIndex('vendor_traces_instance').on('vendor_traces').columns(['instance_id', 'id']).execute();
    await db.schema.createIndex('vendor_traces_request').on('vendor_traces').columns(['request_id']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('vendor_traces').execute();
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * Bulk imports and job callbacks. An import's uploaded rows are `bulk_chunks` of the job (as an
 * export's results are), stored before the job runs, so any node can run any step; the rows the
 * vendor refused are `bulk_errors`, written in the transaction that moves the job's checkpoint
 * past them, so a resumed job records each once. Both hold the caller's data and are encrypted
 * (the row id is the AAD). `callback_url_enc` is `Elements-Async-Callback-Url`, which may carry
 * a token of the receiver's.
 */
export const m0011BulkImports: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('bulk_jobs').addColumn('identifier_field', 'text').execute();
    await db.schema.alterTable('bulk_jobs').addColumn('callback_url_enc', 'text').execute();
    await db.schema
      .createTable('bulk_errors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
      .addColumn('row_number', 'integer', (c) => c.notNull())
      .addColumn('data_enc', 'text', (c) => c.notNull())
      .addUniqueConstraint('bulk_errors_job_row', ['job_id', 'row_number'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('bulk_errors').execute();
    await db.schema.alterTable('bulk_jobs').dropColumn('callback_url_enc').execute();
    await db.schema.alterTable('bulk_jobs').dropColumn('identifier_field').execute();
  },
};

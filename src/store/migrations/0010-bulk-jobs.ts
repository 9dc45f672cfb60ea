import type { Kysely, Migration } from 'kysely';

/**
 * Bulk jobs (`/hubs/{hub}/bulk`) and their results. A job's result is rows of `bulk_chunks`, one
 * per vendor page, written in the same transaction as the job's checkpoint: a job that dies
 * between pages resumes from the checkpoint, and every record is stored exactly once. Chunks live
 * in the database rather than in files so that any node can serve a result another node made,
 * encrypted under the master key (`<job id>.<seq>` is their id and their AAD).
 */
export const m0010BulkJobs: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('bulk_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('instance_id', 'integer', (c) => c.notNull().references('instances.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('object_name', 'text', (c) => c.notNull())
      .addColumn('query', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('records_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('records_failed_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('total_estimate', 'integer')
      .addColumn('checkpoint', 'text')
      .addColumn('chunks', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('bulk_jobs_instance').on('bulk_jobs').columns(['instance_id', 'created_at']).execute();
    await db.schema
      .createTable('bulk_chunks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('data_enc', 'text', (c) => c.notNull())
      .addUniqueConstraint('bulk_chunks_job_seq', ['job_id', 'seq'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('bulk_chunks').execute();
    await db.schema.dropTable('bulk_jobs').execute();
  },
};

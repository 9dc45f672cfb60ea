import type { Kysely, Migration } from 'kysely';

/**
 * When a job's callback was handed to the job queue. A job that ended with a callback URL and
 * none queued (its process died between the two, or the queue refused) is found by this column
 * and its callback queued then, so no callback is lost.
 */
export const m0012BulkCallbackQueued: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('bulk_jobs').addColumn('callback_queued_at', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('bulk_jobs').dropColumn('callback_queued_at').execute();
  },
};

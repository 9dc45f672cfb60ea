import type { Kysely, Migration } from 'kysely';

/**
 * Scheduled API calls (`/jobs`): a call of this API made on a Quartz cron trigger. The call
 * (method, path, query, body, headers and the Authorization it runs with) is encrypted whole
 * under the master key: it carries credentials. `next_fire_at` is the fire a queued job stands
 * for; a fire is claimed by moving it on, so one fire runs once whatever the number of workers.
 */
export const m0013ScheduledJobs: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('scheduled_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('cron', 'text', (c) => c.notNull())
      .addColumn('call_enc', 'text', (c) => c.notNull())
      .addColumn('next_fire_at', 'text')
      .addColumn('last_fire_at', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_request_id', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_finished_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('scheduled_jobs_organization').on('scheduled_jobs').columns(['organization_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('scheduled_jobs_next_fire').on('scheduled_jobs').column('next_fire_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('scheduled_jobs').execute();
  },
};

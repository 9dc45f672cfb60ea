import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The job queue's singleton guarantee in the schema: per job name and key, at most one waiting
 * and at most one running job. Enqueueing then is one `INSERT … ON CONFLICT DO NOTHING`, atomic
 * across processes, where it was a read followed by a write.
 */
export const m0005JobSingletons: Migration = {
  async up(db: Kysely<any>) {
    // Older versions could leave a duplicate behind in a race; keep one of each.
    for (const status of ['queued', 'active']) {
      await sql`DELETE FROM jobs WHERE status = ${status} AND singleton_key IS NOT NULL AND id NOT IN (
        SELECT MIN(id) FROM jobs WHERE status = ${status} AND singleton_key IS NOT NULL GROUP BY name, singleton_key)`.execute(db);
    }
    await sql`CREATE UNIQUE INDEX jobs_waiting_singleton ON jobs (name, singleton_key) WHERE status = 'queued'`.execute(db);
    await sql`CREATE UNIQUE INDEX jobs_running_singleton ON jobs (name, singleton_key) WHERE status = 'active'`.execute(db);
    await db.schema.createIndex('jobs_leases').on('jobs').columns(['status', 'locked_until']).execute();
  },
  async down(db: Kysely<any>) {
    for (const index of ['jobs_waiting_singleton', 'jobs_running_singleton', 'jobs_leases']) await db.schema.dropIndex(index).execute();
  },
};

import { sql } from 'kysely';
import type { Store } from './db.ts';

/** Any fixed number: the lock's name among PostgreSQL advisory locks. */
export const STARTUP_LOCK = 730_418_112;

/**
 * Runs `work` (migrations, first-start bootstrap) while no other process sharing the database
 * does the same. Processes started together on an empty PostgreSQL database would otherwise race:
 * concurrent `CREATE TABLE IF NOT EXISTS` of the migration tables, and two bootstraps of the
 * first organization. A session advisory lock is held on one pooled connection; `work` uses the
 * others. SQLite needs none: one process owns the file, and its writes are serialised anyway.
 */
export async function withStartupLock<T>(store: Store, work: () => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return work();
  // The lock's connection is silent while it waits for other nodes and while `work` runs, and a
  // migration may take minutes: none of it is cut short as a database gone silent would be.
  return store.patiently(() =>
    store.db.connection().execute(async (conn) => {
      await sql`SELECT pg_advisory_lock(${STARTUP_LOCK})`.execute(conn);
      try {
        return await work();
      } finally {
        await sql`SELECT pg_advisory_unlock(${STARTUP_LOCK})`.execute(conn);
      }
    }),
  );
}

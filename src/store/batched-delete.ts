import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

/**
 * Runs `deleteSome(limit)` until it deletes fewer than `limit` rows, and returns how many it
 * deleted in all: a large delete as short statements, each holding the write lock (SQLite's
 * whole database) only briefly, so that API calls go on between them.
 */
export async function deleteInBatches(deleteSome: (limit: number) => Promise<number>, limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteSome(limit);
    total += n;
    if (n < limit) return total;
  }
}

/**
 * `deleteInBatches` for each organization in turn: for a retention whose deletes go through an
 * (organization, date) index, which one statement over the whole table could not use.
 */
export async function deleteInBatchesByOrganization(
  db: Kysely<Database>,
  deleteSome: (organizationId: number, limit: number) => Promise<number>,
  limit: number,
): Promise<number> {
  let total = 0;
  for (const { id } of await db.selectFrom('organizations').select('id').execute()) total += await deleteInBatches((n) => deleteSome(id, n), limit);
  return total;
}

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

import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { newTestStore, processEnv } from '../helpers/test-store.ts';
import { startSwitchboard } from '../helpers/process.ts';

/**
 * Every node of a deployment polls the shared database; what an idle node costs is paid once
 * per node, forever. Target: at most 5 transactions per second from an idle node (API and
 * worker), measured with PostgreSQL's own counters.
 */
describe('an idle node', () => {
  it('makes at most 5 database transactions per second', { timeout: 90_000 }, async () => {
    const target = await newTestStore();
    const node = startSwitchboard(['serve'], processEnv(target));
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      await node.waitFor(/listening on/);
      // Start-up is over once its transactions have been counted; PostgreSQL flushes a busy
      // backend's counters at least every second, an idle one's within 10 s.
      await new Promise((r) => setTimeout(r, 12_000));
      const count = async () => {
        await client.query('SELECT pg_stat_clear_snapshot()');
        const r = await client.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
        return Number(r.rows[0].n);
      };
      const windowMs = 30_000;
      const before = await count();
      await new Promise((r) => setTimeout(r, windowMs));
      // The measuring client's own two snapshot queries are not the node's.
      const perSecond = ((await count()) - before - 2) / (windowMs / 1000);
      console.log(`idle node: ${perSecond.toFixed(2)} transactions per second`);
      expect(perSecond).toBeLessThanOrEqual(5);
    } finally {
      await client.end();
      await node.stop();
    }
  });
});

import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { newTestStore, openTargetStore } from '../helpers/test-store.ts';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';
import { STARTUP_LOCK, withStartupLock } from '../../src/store/startup-lock.ts';
import { PostgresSignals } from '../../src/store/postgres-signals.ts';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../helpers/wait.ts';

/**
 * A pooled connection that a caller holds may stay silent `silenceMs`, then it is closed; the
 * start-up's lock and migrations may rightly wait longer (`test/postgres/database-connections`
 * shows the same through a relay that goes silent).
 */
describe('silent PostgreSQL connections', () => {
  it('closes a held connection silent past the limit, except for patient work such as the start-up lock', async () => {
    const target = await newTestStore();
    const store = openTargetStore(target, 500);
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    await admin.connect();
    try {
      const silent = await sql`select pg_sleep(1.5)`.execute(store.db).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(silent).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('did not answer within 500 ms') });
      expect(isDatabaseUnavailable(silent)).toBe(true);
      // The pool opened another connection.
      expect((await sql<{ n: number }>`select 1 as n`.execute(store.db)).rows).toEqual([{ n: 1 }]);
      // Patient work may wait as long as it needs.
      await store.patiently(() => sql`select pg_sleep(1.5)`.execute(store.db));
      // Another node holds the start-up lock for longer than the limit: this one waits for it, then runs.
      await admin.query('select pg_advisory_lock($1)', [STARTUP_LOCK]);
      const started = Date.now();
      const release = setTimeout(() => void admin.query('select pg_advisory_unlock($1)', [STARTUP_LOCK]), 1500);
      try {
        expect(await withStartupLock(store, async () => (await sql<{ n: number }>`select 2 as n`.execute(store.db)).rows)).toEqual([{ n: 2 }]);
      } finally {
        clearTimeout(release);
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      // Afterwards the limit holds again.
      await expect(sql`select pg_sleep(1.5)`.execute(store.db)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('gives up connecting the signal connection to a database that accepts and says nothing, and tries again, saying so once per try', async () => {
    const held: Socket[] = [];
    const mute = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const errors: string[] = [];
    const signals = new PostgresSignals({
      connectionString: `postgres://switchboard@127.0.0.1:${(mute.address() as AddressInfo).port}/none`,
      connectTimeoutMs: 300,
      silenceMs: 30_000,
      reconnectDelayMs: 50,
      onError: (err) => errors.push(err.message),
    });
    try {
      // Two subscribers share each attempt to connect.
      signals.subscribe('mute_channel', () => undefined);
      signals.subscribe('other_channel', () => undefined);
      // Each attempt ends within the limit, and the next one follows.
      await waitFor(() => errors.length >= 2 && held.length >= 2, 5000);
      expect(errors[0]).toMatch(/^could not connect: .*timeout/i);
      // One report per attempt (each attempt is one held socket; the last may still be waiting).
      expect(errors.length).toBeLessThanOrEqual(held.length);
    } finally {
      await signals.close();
      for (const s of held) s.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });
});

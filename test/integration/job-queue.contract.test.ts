import { setTimeout } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { SqlJobQueue } from '../../src/jobs/sql/sql-job-queue.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { LocalSignals, type Signals } from '../../src/platform/signals.ts';
import { PostgresSignals } from '../../src/store/postgres-signals.ts';
import { CONNECT_TIMEOUT_MS } from '../../src/store/db.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { newTestStore, testStoreKind, type TestStoreTarget, openTargetStore } from '../helpers/test-store.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The JobQueue contract, on the store this project runs on (SQLite, then PostgreSQL with its
 * LISTEN/NOTIFY signals). Every guarantee of `JobQueue` is checked here. Negative checks wait for
 * a positive marker that can only come after the thing that must not happen.
 */
let target: TestStoreTarget;
let store: Store;
let signals: Signals;
const queues: JobQueue[] = [];

beforeAll(async () => {
  target = await newTestStore();
  store = openTargetStore(target);
  await migrateToLatest(store);
  signals = target.databaseUrl
    ? new PostgresSignals({
        connectionString: target.databaseUrl,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        silenceMs: 30_000,
        onError: (err) => {
          throw err;
        },
      })
    : new LocalSignals();
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});
afterAll(async () => {
  await signals.close();
  await store.close();
});

const make = (leaseMs = 60_000, pollIntervalMs = 50) => {
  const q = new SqlJobQueue({
    db: store.db,
    dialect: store.dialect,
    clock: systemClock,
    signals,
    pollIntervalMs,
    leaseMs,
    retryDelayMs: 50,
    onError: (err) => {
      throw err;
    },
  });
  queues.push(q);
  return q;
};
const name = (s: string) => `${s}-${Math.random().toString(36).slice(2, 8)}`;
const rows = (n: string) => store.db.selectFrom('jobs').select(['status', 'singleton_key']).where('name', '=', n).execute();

describe(`JobQueue contract (${testStoreKind()})`, () => {
  it('runs a job with its payload, not before runAt', async () => {
    const q = make();
    const seen: { payload: unknown; at: number }[] = [];
    const n = name('run');
    await q.work(n, async (p) => {
      seen.push({ payload: p, at: Date.now() });
    });
    await q.enqueue(n, { a: 1 });
    const later = Date.now() + 1000;
    await q.enqueue(n, { b: 2 }, { runAt: new Date(later) });
    await waitFor(() => seen.length === 2);
    expect(seen.map((s) => s.payload)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(seen[1]!.at).toBeGreaterThanOrEqual(later);
  });

  it('keeps at most one waiting and one running job per singleton key, and a busy key holds up no other (50 rounds)', { timeout: 120_000 }, async () => {
    const q = make();
    const n = name('single');
    const started: string[] = [];
    const held: (() => void)[] = [];
    let running = 0;
    let maxRunning = 0;
    await q.work(
      n,
      async (p) => {
        const key = String(p.key);
        started.push(key);
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (key.startsWith('busy')) await new Promise<void>((r) => held.push(r));
        running--;
      },
      { concurrency: 3 },
    );
    for (let round = 0; round < 50; round++) {
      const busy = `busy-${round}`;
      started.length = 0;
      expect(await q.enqueue(n, { key: busy }, { singletonKey: busy })).not.toBeNull();
      await waitFor(() => held.length === 1);
      // One waits behind the running one; a third is refused.
      expect(await q.enqueue(n, { key: busy }, { singletonKey: busy })).not.toBeNull();
      expect(await q.enqueue(n, { key: busy }, { singletonKey: busy })).toBeNull();
      // Jobs queued after the waiting one run while it waits: it is passed over, not in the way.
      expect(await q.enqueue(n, { key: `other-${round}` }, { singletonKey: `other-${round}` })).not.toBeNull();
      expect(await q.enqueue(n, { key: `plain-${round}` })).not.toBeNull();
      await waitFor(() => started.includes(`other-${round}`) && started.includes(`plain-${round}`));
      expect(started.filter((k) => k === busy)).toHaveLength(1);
      expect(
        (await rows(n))
          .filter((r) => r.singleton_key === busy)
          .map((r) => r.status)
          .sort(),
      ).toEqual(['active', 'queued']);
      // Releasing the running job lets the waiting one start.
      held.shift()!();
      await waitFor(() => held.length === 1);
      expect(started.filter((k) => k === busy)).toHaveLength(2);
      held.shift()!();
      await waitFor(async () => (await rows(n)).length === 0);
    }
    expect(maxRunning).toBe(2);
  });

  it('retries a job whose handler throws, then gives up at the retry limit', async () => {
    const q = make();
    const n = name('retry');
    let calls = 0;
    await q.work(n, async (p) => {
      calls++;
      if (p.fail === 'always' || calls === 1) throw new Error('fails');
    });
    await q.enqueue(n, {});
    await waitFor(async () => calls === 2 && (await rows(n)).length === 0);
    calls = 0;
    await q.enqueue(n, { fail: 'always' }, { retryLimit: 1 });
    await waitFor(async () => (await rows(n)).some((r) => r.status === 'failed'));
    expect(calls).toBe(2);
  });

  it('queues a job within a transaction: it exists only if the transaction commits, and runs as soon as it does', async () => {
    // Looking for work only once a minute: a job that runs at once was woken by its commit.
    const q = make(60_000, 60_000);
    const n = name('within');
    const seen: unknown[] = [];
    await q.work(n, async (p) => {
      seen.push(p.k);
    });
    await expect(
      store.db.transaction().execute(async (trx) => {
        await q.enqueue(n, { k: 'rolled back' }, { within: trx });
        throw new Error('the request failed after queueing');
      }),
    ).rejects.toThrow('the request failed after queueing');
    expect(await rows(n)).toEqual([]);
    await store.db.transaction().execute(async (trx) => {
      await q.enqueue(n, { k: 'committed' }, { within: trx });
      // Time for a worker woken too early to look, find nothing, and wait for its next poll.
      await setTimeout(300);
    });
    await waitFor(async () => seen.length === 1 && (await rows(n)).length === 0);
    expect(seen).toEqual(['committed']);
  });

  it('a failing singleton job gives way to the job of its key that waits', async () => {
    const q = make();
    const n = name('giveway');
    const runs: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await q.work(n, async (p) => {
      runs.push(p.n);
      if (p.n === 1) {
        await gate;
        throw new Error('first run fails');
      }
    });
    await q.enqueue(n, { n: 1 }, { singletonKey: 'k' });
    await waitFor(() => runs.length === 1);
    await q.enqueue(n, { n: 2 }, { singletonKey: 'k' });
    release();
    await waitFor(async () => runs.length === 2 && (await rows(n)).length === 0);
    expect(runs).toEqual([1, 2]);
  });

  it('keeps jobs across restarts, and two workers never run the same job twice', { timeout: 60_000 }, async () => {
    const n = name('durable');
    const first = make();
    for (let i = 0; i < 30; i++) await first.enqueue(n, { i });
    await first.stop();
    const seen: number[] = [];
    const a = make();
    const b = make();
    await a.work(
      n,
      async (p) => {
        seen.push(p.i as number);
      },
      { concurrency: 2 },
    );
    await b.work(
      n,
      async (p) => {
        seen.push(p.i as number);
      },
      { concurrency: 2 },
    );
    // Finished jobs are deleted after their handler returns: an empty table means every run ended.
    await waitFor(async () => seen.length >= 30 && (await rows(n)).length === 0);
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('runs a job again when the process that held it died (lease expired), and the dead run cannot finish it', async () => {
    const n = name('lease');
    const dead = make(300);
    queues.splice(queues.indexOf(dead), 1);
    let started = 0;
    let finishDead!: () => void;
    await dead.work(n, () => {
      started++;
      return new Promise<void>((r) => (finishDead = r));
    });
    await dead.enqueue(n, {}, { retryLimit: 2 });
    await waitFor(() => started === 1);
    // The first worker hangs holding the job; it takes nothing more.
    const deadStopped = dead.stop();
    const alive = make(300);
    let rerun = 0;
    let releaseAlive!: () => void;
    await alive.work(n, () => {
      rerun++;
      return new Promise<void>((r) => (releaseAlive = r));
    });
    await waitFor(() => rerun === 1);
    // The hung run ends now (stop() waits for it): its claim is stale, so the job, running again
    // elsewhere, stays.
    finishDead();
    await deadStopped;
    expect(await rows(n)).toEqual([{ status: 'active', singleton_key: null }]);
    releaseAlive();
    await waitFor(async () => (await rows(n)).length === 0);
    expect(started).toBe(1);
  });
});

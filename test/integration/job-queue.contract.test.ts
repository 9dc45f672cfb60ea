import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { LocalJobQueue } from '../../src/jobs/local/local-job-queue.ts';
import { PgBossJobQueue } from '../../src/jobs/pgboss/pgboss-job-queue.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { newTestStore, testStoreKind, type TestStoreTarget } from '../helpers/test-store.ts';

/**
 * One contract, both adapters: the local queue on SQLite (and on PostgreSQL through the same
 * Kysely code), and pg-boss on PostgreSQL. Every guarantee of `JobQueue` is checked here.
 */
let target: TestStoreTarget;
let store: Store;
const queues: JobQueue[] = [];

beforeAll(async () => {
  target = await newTestStore();
  store = openStore({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
  await migrateToLatest(store);
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});
afterAll(async () => { await store.close(); });

const waitFor = async (check: () => boolean, ms = 40_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

type Factory = { name: string; make: (lease?: number) => JobQueue };
const factories = (): Factory[] => {
  const list: Factory[] = [{ name: 'local', make: (lease) => new LocalJobQueue(store.db, { pollIntervalMs: 50, leaseMs: lease ?? 60_000, retryDelayMs: 50 }) }];
  if (target.databaseUrl) {
    list.push({ name: 'pgboss', make: (lease) => new PgBossJobQueue({
      connectionString: target.databaseUrl!, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5, leaseSeconds: lease ? Math.ceil(lease / 1000) : 60,
      maintenanceIntervalSeconds: 1, onError: (err) => console.warn(`pg-boss: ${err.message}`),
    }) });
  }
  return list;
};

// pg-boss needs PostgreSQL: it runs in the postgres project, the local adapter in both.
describe.each(testStoreKind() === 'postgres' ? ['local', 'pgboss'] : ['local'])('JobQueue contract: %s', (adapter) => {
  const make = (lease?: number) => {
    const f = factories().find((x) => x.name === adapter);
    const q = f!.make(lease);
    queues.push(q);
    return q;
  };
  const name = (s: string) => `${adapter}-${s}-${Math.random().toString(36).slice(2, 8)}`;

  it('runs a job with its payload, not before runAt', { timeout: 60_000 }, async () => {
    const q = make();
    const seen: unknown[] = [];
    const n = name('run');
    await q.work(n, async (p) => { seen.push(p); });
    await q.enqueue(n, { a: 1 });
    const later = Date.now() + 1500;
    await q.enqueue(n, { b: 2 }, { runAt: new Date(later) });
    await waitFor(() => seen.length >= 1);
    expect(seen[0]).toEqual({ a: 1 });
    await waitFor(() => seen.length === 2);
    expect(Date.now()).toBeGreaterThanOrEqual(later - 50);
    expect(seen[1]).toEqual({ b: 2 });
  });

  it('keeps at most one waiting and one running job per singleton key', { timeout: 60_000 }, async () => {
    const q = make();
    const n = name('single');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    await q.work(n, async () => { running++; maxRunning = Math.max(maxRunning, running); runs++; await gate; running--; }, { concurrency: 3 });
    expect(await q.enqueue(n, {}, { singletonKey: 'k' })).not.toBeNull();
    await waitFor(() => running === 1);
    expect(await q.enqueue(n, {}, { singletonKey: 'k' })).not.toBeNull();
    expect(await q.enqueue(n, {}, { singletonKey: 'k' })).toBeNull();
    expect(await q.enqueue(n, {}, { singletonKey: 'other' })).not.toBeNull();
    // The other key runs beside the busy one; the waiting "k" job waits for the running one.
    await waitFor(() => runs === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toBe(2);
    release();
    await waitFor(() => runs === 3);
    expect(maxRunning).toBe(2);
  });

  it('retries a job whose handler throws', async () => {
    const q = make();
    const n = name('retry');
    let calls = 0;
    await q.work(n, async () => { calls++; if (calls === 1) throw new Error('first time fails'); });
    await q.enqueue(n, {});
    await waitFor(() => calls === 2);
  });

  it('keeps jobs across restarts, and two workers never run the same job twice', { timeout: 60_000 }, async () => {
    const n = name('durable');
    const first = make();
    for (let i = 0; i < 30; i++) await first.enqueue(n, { i });
    await first.stop();
    const seen: number[] = [];
    const a = make();
    const b = make();
    await a.work(n, async (p) => { seen.push(p.i as number); }, { concurrency: 2 });
    await b.work(n, async (p) => { seen.push(p.i as number); }, { concurrency: 2 });
    await waitFor(() => seen.length >= 30);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('runs a job again when the process that held it died (lease expired)', async () => {
    const n = name('lease');
    const dead = make(1000);
    queues.splice(queues.indexOf(dead), 1);
    let started = 0;
    await dead.work(n, async () => { started++; await new Promise(() => undefined); });
    await dead.enqueue(n, {}, { retryLimit: 2 });
    await waitFor(() => started === 1);
    // The first worker dies holding the job: it takes nothing more and never finishes this one.
    void dead.stop();
    const alive = make(1000);
    let rerun = 0;
    await alive.work(n, async () => { rerun++; });
    await waitFor(() => rerun === 1);
    expect(started).toBe(1);
  }, 60_000);
});

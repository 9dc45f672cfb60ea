import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Signals } from '../../platform/signals.ts';
import type { Dialect } from '../../store/db.ts';
import type { Database } from '../../store/tables.ts';
import { isUniqueViolation } from '../../store/unique-violation.ts';
import { DEFAULT_RETRY_LIMIT, type EnqueueOptions, type JobHandler, type JobPayload, type JobQueue, type WorkOptions } from '../job-queue.ts';

export interface SqlQueueOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  /** Wakes workers (in every process, where the adapter reaches them) when a job is queued. */
  signals: Signals;
  /** How often workers look for due jobs without being woken: delayed jobs, lost signals. */
  pollIntervalMs?: number;
  /** How long a claimed job is leased by default; a job whose process died runs again after it. */
  leaseMs?: number;
  retryDelayMs?: number;
  /** Failures the queue itself meets (a lost connection during a poll); it keeps going. */
  onError?: (err: unknown) => void;
  /** Each run's end: `completed`, `retried` (queued again, or giving way to a waiting twin) or `failed` for good. */
  onOutcome?: (name: string, outcome: 'completed' | 'retried' | 'failed') => void;
}

/** The channel that says "a job of this name is waiting". */
const WAKE_CHANNEL = 'switchboard_jobs';
/** How often expired leases are looked for: abandoned jobs are rare and a few seconds late is fine. */
const SWEEP_EVERY_MS = 2_000;
/** Failed jobs stay this long for inspection; they are pruned once an hour. */
const KEEP_FAILED_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

interface Claimed {
  id: string;
  payload: string;
  attempts: number;
  retry_limit: number;
  lease_ms: number;
  singleton_key: string | null;
}

interface Worker {
  handler: JobHandler;
  concurrency: number;
  running: number;
  /** A pump is looking for work; another wake-up only asks it to look once more. */
  pumping: boolean;
  again: boolean;
}

/**
 * The job queue on the store's `jobs` table, for SQLite and PostgreSQL alike.
 *
 * - Enqueue is one INSERT; with a singleton key it is `ON CONFLICT DO NOTHING` against a partial
 *   unique index, so "one waiting job per key" holds across processes without a read first.
 * - A worker claims due jobs with one UPDATE … RETURNING whose subquery passes over a waiting job
 *   whose key is running (and, on PostgreSQL, skips rows another process is claiming: `FOR
 *   UPDATE SKIP LOCKED`). A busy key therefore never holds up another key: the defect of
 *   queues that fetch the oldest job and then find they may not start it.
 * - Each claim bumps `attempts`, which fences the run: a run whose lease expired and whose job
 *   was claimed again can no longer finish or fail that job.
 * - Idle cost: one query per poll interval, for the names with work due (then a claim for each of
 *   those); new work arrives through a signal.
 */
export class SqlJobQueue implements JobQueue {
  readonly #db: Kysely<Database>;
  readonly #postgres: boolean;
  readonly #clock: Clock;
  readonly #signals: Signals;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #retryDelayMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #onOutcome: NonNullable<SqlQueueOptions['onOutcome']>;
  readonly #workers = new Map<string, Worker>();
  readonly #inflight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #sweptAt = 0;
  #prunedAt = 0;
  #stopped = false;

  constructor(options: SqlQueueOptions) {
    this.#db = options.db;
    this.#postgres = options.dialect === 'postgres';
    this.#clock = options.clock;
    this.#signals = options.signals;
    this.#pollMs = options.pollIntervalMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#retryDelayMs = options.retryDelayMs ?? 5_000;
    this.#onError = options.onError ?? (() => undefined);
    this.#onOutcome = options.onOutcome ?? (() => undefined);
  }

  /** Jobs by name and status (queued, active, failed): the queue's depth, for the metrics. */
  async depth(): Promise<{ name: string; status: string; count: number }[]> {
    const rows = await this.#db
      .selectFrom('jobs')
      .select(['name', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['name', 'status'])
      .execute();
    return rows.map((r) => ({ name: r.name, status: r.status, count: Number(r.n) }));
  }

  async enqueue(name: string, payload: JobPayload, options: EnqueueOptions = {}): Promise<string | null> {
    const id = randomUUID();
    const now = this.#clock.now();
    const runAt = options.runAt ?? now;
    const db = options.within ?? this.#db;
    const row = await db
      .insertInto('jobs')
      .values({
        id,
        name,
        payload: JSON.stringify(payload),
        singleton_key: options.singletonKey ?? null,
        status: 'queued',
        run_at: runAt.toISOString(),
        attempts: 0,
        retry_limit: options.retryLimit ?? DEFAULT_RETRY_LIMIT,
        lease_ms: options.leaseMs ?? this.#leaseMs,
        locked_until: null,
        last_error: null,
        created_at: now.toISOString(),
      })
      // The conflict target names the partial index `jobs_waiting_singleton` by its columns and
      // predicate. A job without a key never conflicts: NULLs are distinct in a unique index.
      .onConflict((oc) => oc.columns(['name', 'singleton_key']).where(sql.ref('status'), '=', sql.lit('queued')).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return null;
    if (runAt.getTime() > now.getTime()) return id;
    if (options.within && this.#postgres) {
      // PostgreSQL delivers a notification sent in a transaction when it commits, and drops it
      // when it rolls back: no worker looks for the job before it can be seen.
      await sql`select pg_notify(${WAKE_CHANNEL}, ${name})`.execute(options.within);
    } else {
      // On SQLite a worker woken now looks on the store's one connection, which the transaction
      // holds until it ends: it sees the job once committed.
      await this.#signals.publish(WAKE_CHANNEL, name).catch((err: unknown) => this.#onError(err));
    }
    return id;
  }

  async work(name: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    this.#workers.set(name, { handler, concurrency: options.concurrency ?? 1, running: 0, pumping: false, again: false });
    this.#unsubscribe ??= this.#signals.subscribe(
      WAKE_CHANNEL,
      (n) => this.#pump(n),
      () => this.#pumpAll(),
    );
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
      this.#timer.unref();
    }
    this.#pump(name);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe?.();
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    if (Date.now() - this.#sweptAt >= SWEEP_EVERY_MS) {
      this.#sweptAt = Date.now();
      await this.#sweep().catch((err: unknown) => this.#onError(err));
    }
    // One query asks which names have work due, rather than one claim per name: an idle node's
    // cost must not grow with every kind of job the platform adds.
    try {
      for (const name of await this.#dueNames()) this.#pump(name);
    } catch (err) {
      this.#onError(err);
    }
  }

  /** The names this process works whose queued jobs are due. */
  async #dueNames(): Promise<string[]> {
    const names = [...this.#workers.keys()];
    if (names.length === 0) return [];
    const rows = await this.#db
      .selectFrom('jobs')
      .select('name')
      .distinct()
      .where('status', '=', 'queued')
      .where('run_at', '<=', this.#clock.now().toISOString())
      .where('name', 'in', names)
      .execute();
    return rows.map((r) => r.name);
  }

  #pumpAll(): void {
    for (const name of this.#workers.keys()) this.#pump(name);
  }

  /** Claims and starts jobs of `name` while this process has room for them. */
  #pump(name: string): void {
    const w = this.#workers.get(name);
    if (!w || this.#stopped) return;
    if (w.pumping) {
      w.again = true;
      return;
    }
    w.pumping = true;
    const run = (async () => {
      try {
        do {
          w.again = false;
          while (!this.#stopped && w.running < w.concurrency) {
            const jobs = await this.#claim(name, w.concurrency - w.running);
            for (const job of jobs) this.#start(name, w, job);
            if (jobs.length === 0) break;
          }
        } while (w.again && !this.#stopped && w.running < w.concurrency);
      } catch (err) {
        this.#onError(err);
      } finally {
        w.pumping = false;
      }
    })();
    this.#track(run);
  }

  async #claim(name: string, limit: number): Promise<Claimed[]> {
    const now = this.#clock.now();
    const due = this.#db
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.name', '=', name)
      .where('j.status', '=', 'queued')
      .where('j.run_at', '<=', now.toISOString())
      // A waiting job whose key is running is passed over, so it blocks nothing behind it.
      .where((eb) =>
        eb.or([
          eb('j.singleton_key', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as a')
                .select(sql.lit(1).as('one'))
                .whereRef('a.name', '=', 'j.name')
                .whereRef('a.singleton_key', '=', 'j.singleton_key')
                .where('a.status', '=', 'active'),
            ),
          ),
        ]),
      )
      .orderBy('j.run_at')
      .orderBy('j.created_at')
      .limit(limit)
      .$if(this.#postgres, (q) => q.forUpdate().skipLocked());
    const claimed = await this.#db
      .updateTable('jobs')
      .set((eb) => ({ status: 'active', locked_until: new Date(now.getTime() + this.#leaseMs).toISOString(), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      .where('status', '=', 'queued')
      .returning(['id', 'payload', 'attempts', 'retry_limit', 'lease_ms', 'singleton_key'])
      .execute();
    // Jobs with a lease of their own get it now; the claim used the default to stay one statement.
    for (const job of claimed.filter((j) => j.lease_ms !== this.#leaseMs)) {
      await this.#db
        .updateTable('jobs')
        .set({ locked_until: new Date(now.getTime() + job.lease_ms).toISOString() })
        .where('id', '=', job.id)
        .where('attempts', '=', job.attempts)
        .execute();
    }
    return claimed;
  }

  #start(name: string, w: Worker, job: Claimed): void {
    w.running++;
    const run = (async () => {
      try {
        await w.handler(JSON.parse(job.payload) as JobPayload);
        await this.#db.deleteFrom('jobs').where('id', '=', job.id).where('attempts', '=', job.attempts).execute();
        this.#onOutcome(name, 'completed');
      } catch (err) {
        await this.#failed(job, String((err as Error)?.message ?? err)).then(
          (outcome) => this.#onOutcome(name, outcome),
          (e: unknown) => this.#onError(e),
        );
      } finally {
        w.running--;
      }
    })();
    this.#track(run.finally(() => this.#pump(name)));
  }

  /** A run threw, or its lease ran out: retry it, give way to a waiting job of its key, or fail it. */
  async #failed(job: Pick<Claimed, 'id' | 'attempts' | 'retry_limit' | 'singleton_key'>, error: string): Promise<'retried' | 'failed'> {
    const now = this.#clock.now();
    const fenced = this.#db.updateTable('jobs').where('id', '=', job.id).where('attempts', '=', job.attempts).where('status', '=', 'active');
    if (job.attempts > job.retry_limit) {
      await fenced.set({ status: 'failed', locked_until: null, last_error: error.slice(0, 2000) }).execute();
      return 'failed';
    }
    const giveWay = () => this.#db.deleteFrom('jobs').where('id', '=', job.id).where('attempts', '=', job.attempts).execute();
    try {
      const res = await fenced
        .set({
          status: 'queued',
          locked_until: null,
          last_error: error.slice(0, 2000),
          run_at: new Date(now.getTime() + this.#retryDelayMs).toISOString(),
        })
        // Another job of this key already waits and does the same work: this one gives way.
        .where((eb) =>
          eb.or([
            eb('singleton_key', 'is', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('jobs as w')
                  .select(sql.lit(1).as('one'))
                  .whereRef('w.name', '=', 'jobs.name')
                  .whereRef('w.singleton_key', '=', 'jobs.singleton_key')
                  .where('w.status', '=', 'queued'),
              ),
            ),
          ]),
        )
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0 && job.singleton_key !== null) await giveWay();
    } catch (err) {
      // The waiting job arrived between the check and the write.
      if (!isUniqueViolation(err)) throw err;
      await giveWay();
    }
    return 'retried';
  }

  /** Jobs whose lease ran out belong to a process that died (or hung): they count as failed runs. */
  async #sweep(): Promise<void> {
    const now = this.#clock.now();
    const names = [...this.#workers.keys()];
    if (names.length === 0) return;
    const expired = await this.#db
      .selectFrom('jobs')
      .select(['id', 'name', 'attempts', 'retry_limit', 'singleton_key'])
      .where('name', 'in', names)
      .where('status', '=', 'active')
      .where('locked_until', '<', now.toISOString())
      .limit(500)
      .execute();
    for (const job of expired) this.#onOutcome(job.name, await this.#failed(job, 'the lease expired: the process running the job stopped or hung'));
    if (Date.now() - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = Date.now();
    await this.#db
      .deleteFrom('jobs')
      .where('name', 'in', names)
      .where('status', '=', 'failed')
      .where('created_at', '<', new Date(now.getTime() - KEEP_FAILED_MS).toISOString())
      .execute();
  }

  #track(run: Promise<void>): void {
    this.#inflight.add(run);
    void run.finally(() => this.#inflight.delete(run));
  }
}

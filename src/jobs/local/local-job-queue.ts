import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/tables.ts';
import { DEFAULT_RETRY_LIMIT, type EnqueueOptions, type JobHandler, type JobPayload, type JobQueue, type WorkOptions } from '../job-queue.ts';

export interface LocalQueueOptions {
  /** How often idle workers look for due jobs. */
  pollIntervalMs?: number;
  /** How long a claimed job is leased; a job whose process died runs again after it. */
  leaseMs?: number;
  retryDelayMs?: number;
}

/**
 * The durable local adapter: jobs are rows of the `jobs` table. A worker claims a due row by
 * flipping it from `queued` to `active` with a guarded UPDATE, so two processes on one store can
 * never run the same job; finished jobs are deleted.
 */
export class LocalJobQueue implements JobQueue {
  readonly kind = 'local' as const;
  readonly #db: Kysely<Database>;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #retryDelayMs: number;
  readonly #workers = new Map<string, { handler: JobHandler; concurrency: number; running: number }>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #inflight = new Set<Promise<void>>();

  constructor(db: Kysely<Database>, options: LocalQueueOptions = {}) {
    this.#db = db;
    this.#pollMs = options.pollIntervalMs ?? 250;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#retryDelayMs = options.retryDelayMs ?? 5_000;
  }

  async enqueue(name: string, payload: JobPayload, options: EnqueueOptions = {}): Promise<string | null> {
    const id = randomUUID();
    const now = new Date().toISOString();
    const inserted = await this.#db.transaction().execute(async (trx) => {
      if (options.singletonKey !== undefined) {
        const waiting = await trx.selectFrom('jobs').select('id')
          .where('name', '=', name).where('singleton_key', '=', options.singletonKey).where('status', '=', 'queued').executeTakeFirst();
        if (waiting) return false;
      }
      await trx.insertInto('jobs').values({
        id, name, payload: JSON.stringify(payload), singleton_key: options.singletonKey ?? null, status: 'queued',
        run_at: (options.runAt ?? new Date()).toISOString(), attempts: 0, retry_limit: options.retryLimit ?? DEFAULT_RETRY_LIMIT, lease_ms: options.leaseMs ?? this.#leaseMs,
        locked_until: null, last_error: null, created_at: now,
      }).execute();
      return true;
    });
    if (!inserted) return null;
    // Work queued in this process starts at once instead of at the next poll.
    if (this.#workers.has(name)) setImmediate(() => void this.#pump(name));
    return id;
  }

  async work(name: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    this.#workers.set(name, { handler, concurrency: options.concurrency ?? 1, running: 0 });
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
      this.#timer.unref();
    }
    void this.#pump(name);
  }

  /** The timer: give back jobs whose lease ran out (their process died), then look for due work. */
  async #poll(): Promise<void> {
    if (this.#stopped) return;
    await this.#db.updateTable('jobs').set({ status: 'queued', locked_until: null })
      .where('name', 'in', [...this.#workers.keys()]).where('status', '=', 'active').where('locked_until', '<', new Date().toISOString()).execute();
    for (const n of this.#workers.keys()) void this.#pump(n);
  }

  async #claim(name: string): Promise<{ id: string; payload: JobPayload; attempts: number; retry_limit: number } | undefined> {
    const now = new Date();
    const candidates = await this.#db.selectFrom('jobs').select(['id', 'payload', 'attempts', 'retry_limit', 'singleton_key', 'lease_ms'])
      .where('name', '=', name).where('status', '=', 'queued').where('run_at', '<=', now.toISOString())
      .orderBy('run_at').orderBy('created_at').limit(50).execute();
    for (const candidate of candidates) {
      if (candidate.singleton_key !== null) {
        // One running job per key: a waiting job of a busy key is passed over, not blocking others.
        const running = await this.#db.selectFrom('jobs').select('id').where('name', '=', name)
          .where('singleton_key', '=', candidate.singleton_key).where('status', '=', 'active').executeTakeFirst();
        if (running) continue;
      }
      const res = await this.#db.updateTable('jobs')
        .set({ status: 'active', locked_until: new Date(now.getTime() + candidate.lease_ms).toISOString(), attempts: candidate.attempts + 1 })
        .where('id', '=', candidate.id).where('status', '=', 'queued').executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) return { id: candidate.id, payload: JSON.parse(candidate.payload) as JobPayload, attempts: candidate.attempts + 1, retry_limit: candidate.retry_limit };
    }
    return undefined;
  }

  async #pump(name: string): Promise<void> {
    const w = this.#workers.get(name);
    if (!w || this.#stopped) return;
    while (w.running < w.concurrency && !this.#stopped) {
      const job = await this.#claim(name);
      if (!job) return;
      w.running++;
      const run = (async () => {
        try {
          await w.handler(job.payload);
          await this.#db.deleteFrom('jobs').where('id', '=', job.id).execute();
        } catch (err) {
          const retry = job.attempts <= job.retry_limit;
          await this.#db.updateTable('jobs').set({
            status: retry ? 'queued' : 'failed', locked_until: null, last_error: String((err as Error)?.message ?? err).slice(0, 2000),
            run_at: new Date(Date.now() + this.#retryDelayMs).toISOString(),
          }).where('id', '=', job.id).execute();
        } finally {
          w.running--;
        }
      })();
      this.#inflight.add(run);
      void run.finally(() => { this.#inflight.delete(run); void this.#pump(name); });
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([...this.#inflight]);
  }
}

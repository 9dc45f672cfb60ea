import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { NewUsage, UsageRepository } from './usage-repository.ts';

export interface UsageRecorderOptions {
  /** How long a record waits for others before they are written together. */
  flushMs: number;
  /** Records written in one go once this many wait. */
  batchSize: number;
  /** Past this many waiting records (the database is slow or down), new ones are dropped and counted. */
  maxPending: number;
  retentionDays: number;
}

const RETENTION_EVERY_MS = 3600_000;
const RETENTION_BATCH = 5000;

/**
 * Usage records leave the request at once: `record` only appends to memory. They are written in
 * batches, after `flushMs` or once `batchSize` wait, so the hot path never waits for the
 * database. A store that cannot keep up loses records, counted and logged, rather than memory.
 */
export class UsageRecorder {
  #pending: NewUsage[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dropped = 0;
  #retention: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: UsageRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: UsageRecorderOptions,
  ) {}

  record(row: NewUsage): void {
    if (this.#pending.length >= this.options.maxPending) {
      this.#dropped++;
      return;
    }
    this.#pending.push(row);
    if (this.#pending.length >= this.options.batchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.options.flushMs).unref();
  }

  /** Writes what waits; resolves when it (and any write before it) is stored or given up. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    const dropped = this.#dropped;
    this.#dropped = 0;
    if (dropped) this.logger.warn({ droppedUsageRecords: dropped }, 'usage records dropped: the database did not keep up');
    if (rows.length === 0) return this.#writing;
    this.#writing = this.#writing.then(() =>
      this.repo.insert(rows).catch((err: Error) => this.logger.warn({ err: err.message, lostUsageRecords: rows.length }, 'usage records could not be written')),
    );
    return this.#writing;
  }

  /** Deletes records older than the retention period, in batches; returns how many. */
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.retentionDays * 86_400_000).toISOString();
    let total = 0;
    for (const organizationId of await this.repo.organizationIds()) {
      for (;;) {
        const n = await this.repo.deleteBefore(organizationId, before, RETENTION_BATCH);
        total += n;
        if (n < RETENTION_BATCH) break;
      }
    }
    return total;
  }

  /** Prunes now and then every hour (in each process that runs the worker). */
  startRetention(): void {
    const run = () =>
      this.prune().then(
        (n) => n && this.logger.info({ deletedUsageRecords: n }, 'usage records past retention deleted'),
        (err: Error) => this.logger.warn({ err: err.message }, 'usage retention failed; it runs again in an hour'),
      );
    void run();
    this.#retention = setInterval(run, RETENTION_EVERY_MS).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#retention);
    await this.flush();
  }
}

import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import { BatchedWriter, type WriterStats, type BatchedWriterOptions } from '../platform/batched-writer.ts';
import type { NewUsage, UsageRepository } from './usage-repository.ts';

export interface UsageRecorderOptions extends Omit<BatchedWriterOptions<NewUsage>, 'what' | 'lost'> {
  retentionDays: number;
  /**
   * Whether a record that cannot be stored is logged as its call's access line: only where calls
   * with a usage record get no access line of their own (`SWITCHBOARD_ACCESS_LOG=unrecorded`).
   */
  logLost: boolean;
  /** Runs before each batch is written: the vendor traces a record links to are stored first. */
  beforeWrite?: () => Promise<void>;
}

const RETENTION_EVERY_MS = 3600_000;
const RETENTION_BATCH = 5000;

/**
 * Usage records leave the request at once: `record` only appends to memory, and they are written
 * in batches (`BatchedWriter`), so the hot path never waits for the database.
 *
 * A call with a usage record gets no access line by default (`SWITCHBOARD_ACCESS_LOG`), so a
 * record that cannot be stored is then written to the log as the call's access line instead
 * (`logLost`): every call stays recorded somewhere, and once only.
 */
export class UsageRecorder {
  readonly #writer: BatchedWriter<NewUsage>;
  #retention: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: UsageRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: UsageRecorderOptions,
  ) {
    this.#writer = new BatchedWriter(
      async (rows) => {
        await options.beforeWrite?.();
        await repo.insert(rows);
      },
      logger,
      { ...options, what: 'usage records', lost: options.logLost ? (rows) => this.#logInstead(rows) : undefined },
    );
  }

  #logInstead(rows: readonly NewUsage[]): void {
    for (const row of rows)
      this.logger.info(
        {
          reqId: row.request_id,
          method: row.method,
          url: row.request_uri,
          statusCode: row.status,
          responseTime: row.process_time_ms,
          usageRecordLost: true,
        },
        'request completed',
      );
  }

  record(row: NewUsage): void {
    this.#writer.add(row);
  }

  /** Writes what waits; resolves when it (and any write before it) is stored or given up. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Records waiting to be written, and failed writes (`BatchedWriter.stats`). */
  stats(): WriterStats {
    return this.#writer.stats();
  }

  /** Deletes records older than the retention period, in batches; returns how many. */
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.retentionDays * 86_400_000).toISOString();
    return this.repo.deleteBefore(before, RETENTION_BATCH);
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
    await this.#writer.close();
  }
}

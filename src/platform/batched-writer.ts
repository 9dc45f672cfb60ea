import type { Logger } from 'pino';

export interface BatchedWriterOptions<T = unknown> {
  /** How long a row waits for others before they are written together. */
  flushMs: number;
  /** Rows written in one go once this many wait. */
  batchSize: number;
  /** Past this many waiting rows (the database is slow or down), new ones are dropped and counted. */
  maxPending: number;
  /** What the rows are, for the log (`usage records`). */
  what: string;
  /**
   * Whether a write failed only for now (the database does not answer): its rows are kept and
   * written again later. Rows of any other failure are lost, counted and logged.
   */
  retryable?: (err: unknown) => boolean;
  /**
   * Rows that will not be written (dropped past `maxPending`, or given up after a failure),
   * handed on so that what they say can go elsewhere, such as the log.
   */
  lost?: (rows: readonly T[]) => void;
}

export interface WriterStats {
  waiting: number;
  failedWrites: number;
}

/** First wait before a failed write is tried again; it doubles up to the longest. */
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 30_000;

/**
 * Rows that leave the request at once: `add` only appends to memory. They are written in batches,
 * after `flushMs` or once `batchSize` wait, so the hot path never waits for the database. While
 * the database does not answer, the rows wait (up to `maxPending`) and are written once it does;
 * a store that cannot keep up loses rows, counted and logged, rather than memory.
 */
export class BatchedWriter<T> {
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dropped = 0;
  /** The wait before the next write while writes fail for now; 0 while they succeed. */
  #retryMs = 0;
  /** Closing: a write that fails now is not tried again. */
  #closed = false;
  #failedWrites = 0;

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: BatchedWriterOptions<T>,
  ) {}

  add(row: T): void {
    if (this.#pending.length >= this.options.maxPending) {
      this.#dropped++;
      this.options.lost?.([row]);
      return;
    }
    this.#pending.push(row);
    if (this.#pending.length >= this.options.batchSize && this.#retryMs === 0) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), Math.max(this.options.flushMs, this.#retryMs)).unref();
  }

  /** Rows waiting to be written now, and writes that failed since the start (kept or given up). */
  stats(): WriterStats {
    return { waiting: this.#pending.length, failedWrites: this.#failedWrites };
  }

  /** Writes what waits; resolves when it (and any write before it) is stored, kept for later or given up. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    const dropped = this.#dropped;
    this.#dropped = 0;
    const { what } = this.options;
    if (dropped) this.logger.warn({ dropped, what }, `${what} dropped: the database did not keep up`);
    if (rows.length === 0) return this.#writing;
    this.#writing = this.#writing.then(() =>
      this.write(rows).then(
        () => {
          this.#retryMs = 0;
        },
        (err: Error) => this.#failed(rows, err),
      ),
    );
    return this.#writing;
  }

  /** Writes what waits, once more; what cannot be written now is lost, counted and logged. */
  close(): Promise<void> {
    this.#closed = true;
    return this.flush();
  }

  #failed(rows: T[], err: Error): void {
    const { what } = this.options;
    this.#failedWrites++;
    if (this.#closed || !this.options.retryable?.(err)) {
      this.logger.warn({ err: err.message, lost: rows.length, what }, `${what} could not be written`);
      this.options.lost?.(rows);
      return;
    }
    // Kept ahead of the rows that came since, so they are written in the order they came.
    const kept = rows.concat(this.#pending);
    this.#pending = kept.slice(0, this.options.maxPending);
    const overflow = kept.slice(this.options.maxPending);
    this.#dropped += overflow.length;
    if (overflow.length > 0) this.options.lost?.(overflow);
    this.#retryMs = Math.min(Math.max(this.#retryMs * 2, FIRST_RETRY_MS), LONGEST_RETRY_MS);
    this.logger.warn(
      { err: err.message, kept: this.#pending.length, what, retryInMs: this.#retryMs },
      `${what} could not be written yet; kept to be written again`,
    );
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.#retryMs).unref();
  }
}

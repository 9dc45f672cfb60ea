import type { Logger } from 'pino';

export interface BatchedWriterOptions {
  /** How long a row waits for others before they are written together. */
  flushMs: number;
  /** Rows written in one go once this many wait. */
  batchSize: number;
  /** Past this many waiting rows (the database is slow or down), new ones are dropped and counted. */
  maxPending: number;
  /** What the rows are, for the log (`usage records`). */
  what: string;
}

/**
 * Rows that leave the request at once: `add` only appends to memory. They are written in batches,
 * after `flushMs` or once `batchSize` wait, so the hot path never waits for the database. A store
 * that cannot keep up loses rows, counted and logged, rather than memory.
 */
export class BatchedWriter<T> {
  #pending: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #dropped = 0;

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: BatchedWriterOptions,
  ) {}

  add(row: T): void {
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
    const { what } = this.options;
    if (dropped) this.logger.warn({ dropped, what }, `${what} dropped: the database did not keep up`);
    if (rows.length === 0) return this.#writing;
    this.#writing = this.#writing.then(() =>
      this.write(rows).catch((err: Error) => this.logger.warn({ err: err.message, lost: rows.length, what }, `${what} could not be written`)),
    );
    return this.#writing;
  }
}

import sonicBoom from 'sonic-boom';

// A CommonJS module: its default export is the class (the typings see the module object).
const { SonicBoom } = sonicBoom;
type SonicBoom = InstanceType<typeof SonicBoom>;

/** The largest single write; also how much may pile up before a write starts on its own. */
const WRITE_BYTES = 1024 * 1024;

/** The JSON line that tells the reader how many lines it missed (pino's `warn` level). */
const droppedNotice = (count: number, now: number) =>
  `${JSON.stringify({ level: 40, time: now, msg: `${count} log lines were dropped: the reader of this process's output fell behind`, droppedLogLines: count })}\n`;

/**
 * Where the process's log lines go: a file descriptor (stdout), written in batches and never
 * waited for. Lines are collected up to `batchChars` (or for at most `flushEveryMs`) and handed to
 * sonic-boom as one string; it writes asynchronously, so a reader that falls behind (a full
 * pipe) never stalls the event loop.
 *
 * What the reader has not taken is held up to `maxBufferedBytes`; past that, batches are dropped
 * and counted, the next batch that fits starts with a line saying how many were lost, and
 * `droppedLines` keeps the total. Losing log lines beats a server that stops serving because
 * nobody reads its output.
 *
 * Lines are collected here rather than handed to sonic-boom one by one: it measures the byte
 * length of its whole pending buffer on every write; here a line costs an array push.
 */
export class BatchedLogDestination {
  #lines: string[] = [];
  #chars = 0;
  /** Lines dropped since the last notice that reached the buffer. */
  #unreported = 0;
  #droppedTotal = 0;
  #lastWriteDropped = false;
  /** Bytes handed to the writer, and bytes it has written: equal when nothing is pending. */
  #accepted = 0;
  #written = 0;
  /** At exit the buffer is written synchronously, but a stuck reader is not waited for long. */
  #exitDeadline: number | undefined;
  readonly #out: SonicBoom;
  readonly #batchChars: number;

  constructor(fd: number, { batchChars = 16_000, flushEveryMs = 200, maxBufferedBytes = 8 * 1024 * 1024 } = {}) {
    this.#batchChars = batchChars;
    this.#out = new SonicBoom({
      fd,
      sync: false,
      // Writes start when this class says so (`flush`), not on every batch handed over, so that
      // `flushSync` at exit finds what is held still in the buffer and writes it synchronously.
      maxWrite: WRITE_BYTES,
      minLength: WRITE_BYTES - 1,
      maxLength: maxBufferedBytes,
      retryEAGAIN: () => this.#exitDeadline === undefined || Date.now() < this.#exitDeadline,
    });
    this.#out.on('drop', () => {
      this.#lastWriteDropped = true;
    });
    this.#out.on('write', (n: number) => {
      this.#written += n;
    });
    // A reader that has gone (EPIPE) or a descriptor that was never open: what is held stays
    // bounded by maxBufferedBytes, and later batches are dropped and counted.
    this.#out.on('error', () => undefined);
    setInterval(() => this.flush(), flushEveryMs).unref();
  }

  /** Lines dropped so far because the reader fell behind. */
  get droppedLines(): number {
    return this.#droppedTotal;
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#chars >= this.#batchChars) this.flush();
  }

  /**
   * Hands the collected lines to the writer and starts writing, never waiting; `done` (pino's
   * `logger.flush(cb)`) is called once everything handed over, and the count of anything
   * dropped, is written, which a graceful shutdown waits for (with a time limit of its own).
   */
  flush(done?: () => void): void {
    this.#handOver();
    // Only when something waits: an idle process makes no empty writes.
    if (this.#accepted > this.#written) this.#out.flush();
    if (done) this.#whenWritten(done);
  }

  /**
   * Writes everything still held, synchronously: for process exit, giving a stuck reader 1 s. A
   * write already in progress (waiting out a full pipe) is not repeated here and may be lost; a
   * graceful shutdown therefore waits for `flush(done)` first.
   */
  flushSync(): void {
    this.#exitDeadline = Date.now() + 1000;
    try {
      this.#handOver();
      this.#out.flushSync();
      // A synchronous flush reports no 'write' events: everything handed over is out now.
      this.#written = this.#accepted;
    } catch {
      // The reader is gone or stuck: the rest is lost, as the process is ending anyway.
    }
  }

  /** Moves the collected lines (after the notice of any dropped ones) into the writer's buffer. */
  #handOver(): void {
    if (this.#lines.length === 0 && this.#unreported === 0) return;
    const count = this.#lines.length;
    const batch = this.#lines.join('');
    this.#lines = [];
    this.#chars = 0;
    const data = this.#unreported > 0 ? droppedNotice(this.#unreported, Date.now()) + batch : batch;
    this.#lastWriteDropped = false;
    this.#out.write(data);
    if (this.#lastWriteDropped) {
      this.#unreported += count;
      this.#droppedTotal += count;
    } else {
      this.#unreported = 0;
      this.#accepted += Buffer.byteLength(data);
    }
  }

  #whenWritten(done: () => void): void {
    if (this.#written >= this.#accepted && this.#unreported === 0) {
      done();
      return;
    }
    // Each write ends with 'drain'; what the buffer could not take yet (a notice) goes next.
    this.#out.once('drain', () => this.flush(done));
  }
}

import { writeSync } from 'node:fs';

/**
 * Where the process's log lines go: a file descriptor (stdout), written in batches. Lines are
 * collected up to `batchChars` and written in one synchronous write, or after at most
 * `flushEveryMs`; `flushSync` writes what is left (on exit).
 *
 * Why not sonic-boom's `minLength`: it measures the byte length of its whole pending buffer on
 * every line, which flattens that buffer each time, several KB of garbage per log line on the
 * hub's hot path. Here a line costs an array push.
 *
 * A full pipe (EAGAIN) is waited out for up to `stallLimitMs`; after that, and on any other write
 * error (the reader has gone), the batch is dropped: losing log lines beats a server that hangs
 * or crashes because nobody reads its output.
 */
export class BatchedLogDestination {
  #lines: string[] = [];
  #chars = 0;
  readonly #fd: number;
  readonly #batchChars: number;
  readonly #stallLimitMs: number;
  /** What `Atomics.wait` sleeps on between two tries of a full pipe. */
  readonly #pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(fd: number, { batchChars = 16_000, flushEveryMs = 200, stallLimitMs = 10_000 } = {}) {
    this.#fd = fd;
    this.#batchChars = batchChars;
    this.#stallLimitMs = stallLimitMs;
    setInterval(() => this.flushSync(), flushEveryMs).unref();
  }

  write(line: string): void {
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#chars >= this.#batchChars) this.flushSync();
  }

  flushSync(): void {
    if (this.#lines.length === 0) return;
    const data = Buffer.from(this.#lines.join(''));
    this.#lines = [];
    this.#chars = 0;
    let written = 0;
    const started = Date.now();
    while (written < data.length) {
      try {
        written += writeSync(this.#fd, data, written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() - started > this.#stallLimitMs) return;
        Atomics.wait(this.#pause, 0, 0, 1);
      }
    }
  }
}

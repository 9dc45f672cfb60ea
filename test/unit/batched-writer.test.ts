import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchedWriter } from '../../src/platform/batched-writer.ts';

const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const logger = pino({ enabled: false });

describe('batched writer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the rows of a write that failed for now and writes them, in order, once the store answers', async () => {
    const stored: number[] = [];
    let down = true;
    let attempts = 0;
    const writer = new BatchedWriter<number>(
      async (rows) => {
        attempts++;
        if (down) throw unavailable;
        stored.push(...rows);
      },
      logger,
      { flushMs: 100, batchSize: 1000, maxPending: 5, what: 'rows', retryable: (err) => err === unavailable },
    );
    for (const n of [1, 2, 3]) writer.add(n);
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts).toBe(1);
    // Rows that come while the store is down wait behind the kept ones; past maxPending they are dropped.
    for (const n of [4, 5, 6]) writer.add(n);
    // Not tried again before the first retry wait (1 s), then waits that double.
    await vi.advanceTimersByTimeAsync(900);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(attempts).toBe(2);
    expect(writer.stats()).toEqual({ waiting: 5, failedWrites: 2 });
    down = false;
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(3);
    expect(stored).toEqual([1, 2, 3, 4, 5]);
    expect(writer.stats()).toEqual({ waiting: 0, failedWrites: 2 });
    // Once it answers, rows go after flushMs again.
    writer.add(7);
    await vi.advanceTimersByTimeAsync(100);
    expect(stored).toEqual([1, 2, 3, 4, 5, 7]);
  });

  it('gives up rows whose write failed otherwise, and on close', async () => {
    const failure = new Error('value too long');
    let attempts = 0;
    const writer = new BatchedWriter<number>(
      async () => {
        attempts++;
        throw attempts === 1 ? failure : unavailable;
      },
      logger,
      { flushMs: 100, batchSize: 1000, maxPending: 100, what: 'rows', retryable: (err) => err === unavailable },
    );
    writer.add(1);
    await vi.advanceTimersByTimeAsync(100);
    writer.add(2);
    await writer.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toBe(2);
    expect(writer.stats()).toEqual({ waiting: 0, failedWrites: 2 });
  });

  it('hands on every row it will not write: dropped past maxPending, pushed out while kept, or given up', async () => {
    const failure = new Error('value too long');
    let down = true;
    let attempts = 0;
    const lost: number[][] = [];
    const writer = new BatchedWriter<number>(
      async () => {
        attempts++;
        // Each write takes 50 ms, so that rows can come while one is under way.
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw down ? unavailable : failure;
      },
      logger,
      { flushMs: 100, batchSize: 1000, maxPending: 3, what: 'rows', retryable: (err) => err === unavailable, lost: (rows) => lost.push([...rows]) },
    );
    for (const n of [1, 2, 3, 4]) writer.add(n);
    // Past maxPending, a row is handed on as it comes.
    expect(lost).toEqual([[4]]);
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts).toBe(1);
    // A row that comes during the write waits behind the batch; when the batch is kept for a
    // retry, the rows past maxPending are handed on.
    writer.add(5);
    expect(lost).toEqual([[4]]);
    await vi.advanceTimersByTimeAsync(50);
    expect(lost).toEqual([[4], [5]]);
    expect(writer.stats()).toEqual({ waiting: 3, failedWrites: 1 });
    // A failure that is not for now gives up the batch.
    down = false;
    await vi.advanceTimersByTimeAsync(1050);
    expect(attempts).toBe(2);
    expect(lost).toEqual([[4], [5], [1, 2, 3]]);
    expect(writer.stats()).toEqual({ waiting: 0, failedWrites: 2 });
  });
});

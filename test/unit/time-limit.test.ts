import { afterEach, describe, expect, it, vi } from 'vitest';
import { withinTimeLimit } from '../../src/platform/time-limit.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('withinTimeLimit', () => {
  it("answers the work's outcome when it comes in time, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(withinTimeLimit(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(withinTimeLimit(Promise.reject(new Error('failed')), 1000, () => new Error('late'))).rejects.toThrow('failed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with its own error once the time is up, and drops the outcome that comes later', async () => {
    vi.useFakeTimers();
    let fail!: (err: Error) => void;
    const work = new Promise<number>((_, reject) => {
      fail = reject;
    });
    const limited = withinTimeLimit(work, 1000, () => new Error('no answer within 1 s'));
    const outcome = expect(limited).rejects.toThrow('no answer within 1 s');
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void limited.catch(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    // A late failure is handled by the race: no unhandled rejection.
    fail(new Error('too late'));
    await Promise.resolve();
  });
});

import { describe, expect, it } from 'vitest';
import { GIVE_UP_AFTER_MS, retryDelayMs } from '../../src/events/webhook-removals.ts';

describe('the wait between attempts at removing a vendor webhook', () => {
  it('starts at a minute, doubles, and stays at an hour, so that a day holds about thirty attempts', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100, 5000].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
    let elapsed = 0;
    let attempts = 1;
    while (elapsed + retryDelayMs(attempts) <= GIVE_UP_AFTER_MS) elapsed += retryDelayMs(attempts++);
    expect(attempts).toBe(29);
  });
});

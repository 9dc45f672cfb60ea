import { describe, expect, it } from 'vitest';
import type { ScheduledJob } from '../../src/ui/api.ts';
import { refreshDelay } from '../../src/ui/pages/job-refresh.ts';

const now = Date.parse('2026-12-02T10:00:00.000Z');
const job = (nextFireDate: string | null, lastFire: ScheduledJob['lastFire'] = null): ScheduledJob => ({
  id: 'a'.repeat(24),
  name: 'j',
  method: 'GET',
  uri: '/elements/api-v2/hubs/helpdesk/priorities',
  query: {},
  headers: {},
  trigger: { cron: '0 0 * * * ?' },
  createdDate: '2026-12-01T00:00:00.000Z',
  nextFireDate,
  lastFire,
});
const running = { date: '2026-12-02T09:59:59.000Z', status: null, requestId: null, finishedDate: null };

describe("the Jobs page's refresh", () => {
  it('reads the list a second after the next fire is due, every few seconds while one runs, and at least every minute', () => {
    expect(refreshDelay([], now)).toBeUndefined();
    expect(refreshDelay([job('2026-12-02T10:00:10.000Z'), job('2026-12-02T10:05:00.000Z')], now)).toBe(11_000);
    expect(refreshDelay([job('2026-12-02T10:00:01.000Z')], now)).toBe(3000);
    // A fire due but not yet made does not make the page read the list in a loop.
    expect(refreshDelay([job('2026-12-02T09:59:00.000Z')], now)).toBe(3000);
    expect(refreshDelay([job('2026-12-03T10:00:00.000Z'), job(null)], now)).toBe(60_000);
    expect(refreshDelay([job('2026-12-03T10:00:00.000Z', running)], now)).toBe(3000);
  });
});

import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { loggerOptions } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { UsageRecorder } from '../../src/usage/usage-recorder.ts';
import type { NewUsage, UsageRepository } from '../../src/usage/usage-repository.ts';
import { logLines } from '../helpers/log-lines.ts';

const row = (requestId: string): NewUsage => ({
  request_id: requestId,
  organization_id: 1,
  account_id: 1,
  user_id: 1,
  instance_id: 7,
  element_key: 'element',
  hub: 'helpdesk',
  method: 'GET',
  route: '/hubs/helpdesk/incidents/{id}',
  request_uri: '/hubs/helpdesk/incidents/KEY-1',
  status: 200,
  process_time_ms: 1.5,
  vendor_calls: 1,
  vendor_time_ms: 1.2,
  request_ip: '127.0.0.1',
  usage_date: '2026-12-04T12:00:00.000Z',
});

describe('usage recorder', () => {
  it("writes a record it cannot store to the log as the call's access line, so that no call goes unrecorded", async () => {
    const { lines, sink } = logLines<Record<string, unknown>>();
    const repo = { insert: () => Promise.reject(new Error('value too long')) } as unknown as UsageRepository;
    const recorder = new UsageRecorder(repo, systemClock, pino(loggerOptions('info'), sink), {
      flushMs: 100,
      batchSize: 100,
      maxPending: 2,
      retentionDays: 30,
      logLost: true,
    });
    // The third waits past maxPending and is dropped at once; the first two are given up when their write fails.
    for (const id of ['r1', 'r2', 'r3']) recorder.record(row(id));
    await recorder.flush();
    const calls = lines.filter((l) => l.msg === 'request completed');
    expect(calls.map((l) => [l.reqId, l.method, l.url, l.statusCode, l.usageRecordLost])).toEqual([
      ['r3', 'GET', '/hubs/helpdesk/incidents/KEY-1', 200, true],
      ['r1', 'GET', '/hubs/helpdesk/incidents/KEY-1', 200, true],
      ['r2', 'GET', '/hubs/helpdesk/incidents/KEY-1', 200, true],
    ]);
    await recorder.close();
  });

  it('logs no second line for a lost record where every call has its access line already', async () => {
    const { lines, sink } = logLines<Record<string, unknown>>();
    const repo = { insert: () => Promise.reject(new Error('value too long')) } as unknown as UsageRepository;
    const recorder = new UsageRecorder(repo, systemClock, pino(loggerOptions('info'), sink), {
      flushMs: 100,
      batchSize: 100,
      maxPending: 2,
      retentionDays: 30,
      logLost: false,
    });
    for (const id of ['r1', 'r2', 'r3']) recorder.record(row(id));
    await recorder.flush();
    expect(lines.filter((l) => l.msg === 'request completed')).toEqual([]);
    // The records lost are still counted in the warning.
    expect(lines.some((l) => l.msg === 'usage records could not be written' && l.lost === 2)).toBe(true);
    await recorder.close();
  });
});

import { describe, expect, it } from 'vitest';
import { CronTrigger } from '../../src/scheduled-jobs/cron-trigger.ts';

/** Quartz cron expressions (open-connectors-api.md §9.3) read as Quartz reads them, in UTC. */
const NOW = new Date('2026-12-02T00:00:00Z'); // a Wednesday
const next = (expression: string, from = NOW) => CronTrigger.parse(expression, NOW, 60_000).nextAfter(from)?.toISOString();

describe('CronTrigger', () => {
  it('reads the fields as Quartz does: seconds first, days of the week 1-7 from Sunday, an optional year', () => {
    expect(next('0 0 12 ? * 2')).toBe('2026-12-07T12:00:00.000Z'); // 2 is Monday
    expect(next('0 0 12 ? * 1')).toBe('2026-12-06T12:00:00.000Z'); // 1 is Sunday
    expect(next('0 0 12 ? * MON-FRI')).toBe('2026-12-02T12:00:00.000Z');
    expect(next('30 15 10 * * ? 2027')).toBe('2027-01-01T10:15:30.000Z');
  });

  it("reads Quartz's 0/15 steps, L, nL, W and #", () => {
    expect(next('0 0/15 * 1/1 * ? *')).toBe('2026-12-02T00:15:00.000Z');
    expect(next('0 0 12 1/5 * ?')).toBe('2026-12-06T12:00:00.000Z');
    expect(next('0 15 10 L * ?')).toBe('2026-12-31T10:15:00.000Z');
    expect(next('0 15 10 ? * 6L')).toBe('2026-12-25T10:15:00.000Z'); // the last Friday
    expect(next('0 0 9 15W * ?')).toBe('2026-12-15T09:00:00.000Z');
    expect(next('0 0 9 ? * 2#1')).toBe('2026-12-07T09:00:00.000Z'); // the first Monday
  });

  it('refuses a five-field Unix expression, a trigger that fires no more, and one that fires too often', () => {
    expect(() => next('0 12 * * *')).toThrow(/Quartz/);
    expect(() => next('0 0 12 1 1 ? 2001')).toThrow(/fires no more/);
    expect(() => next('0/30 * * * * ?')).toThrow(/30 s apart/);
    expect(() => CronTrigger.parse('0/30 * * * * ?', NOW, 30_000)).not.toThrow();
  });

  it('answers null after its last fire', () => {
    expect(CronTrigger.parse('0 0 12 1 1 ? 2027', NOW, 60_000).nextAfter(new Date('2027-06-01T00:00:00Z'))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { logLines } from '../helpers/log-lines.ts';
import { closeInSteps } from '../../src/platform/closing-steps.ts';

describe('closing in steps', () => {
  it('runs the steps in order, and names a slow one in the log until it ends', async () => {
    const { lines, sink } = logLines<{ msg: string; step: string; level: number }>();
    const logger = pino({ level: 'warn' }, sink);
    const ran: string[] = [];
    await closeInSteps(
      logger,
      [
        ['the quick one', () => ran.push('quick')],
        ['the slow one', () => new Promise((r) => setTimeout(() => r(ran.push('slow')), 130))],
        ['the last one', async () => ran.push('last')],
      ],
      50,
    );
    expect(ran).toEqual(['quick', 'slow', 'last']);
    const warned = lines.map((l) => l.msg);
    expect(warned.length).toBeGreaterThanOrEqual(1);
    expect(new Set(warned)).toEqual(new Set(['closing: still waiting for the slow one']));
    expect(lines.every((l) => l.level === 40 && l.step === 'the slow one')).toBe(true);
    // Nothing is logged once the steps have ended.
    const after = lines.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(lines.length).toBe(after);
  });

  it('logs a step that fails, runs the steps after it, and then fails with its error', async () => {
    const { lines, sink } = logLines<{ msg: string; step: string; level: number }>();
    const ran: string[] = [];
    await expect(
      closeInSteps(pino({ level: 'warn' }, sink), [
        ['failing', () => Promise.reject(new Error('it failed'))],
        ['after', () => ran.push('after')],
        ['failing too', () => Promise.reject(new Error('it failed too'))],
      ]),
    ).rejects.toThrow(/^it failed$/);
    expect(ran).toEqual(['after']);
    expect(lines.map((l) => [l.level, l.step, l.msg])).toEqual([
      [50, 'failing', 'closing: failing failed'],
      [50, 'failing too', 'closing: failing too failed'],
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BatchedLogDestination } from '../../src/platform/log-destination.ts';
import { waitFor } from '../helpers/wait.ts';

const opened: number[] = [];
afterEach(() => {
  for (const fd of opened.splice(0)) closeSync(fd);
});

function logFile() {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-log-')), 'out.log');
  const fd = openSync(path, 'a');
  opened.push(fd);
  return { fd, read: () => readFileSync(path, 'utf8') };
}

describe('batched log destination', () => {
  it('holds lines until a batch is full, then writes them in order, multi-byte text intact', async () => {
    const file = logFile();
    const out = new BatchedLogDestination(file.fd, { batchChars: 100, flushEveryMs: 60_000 });
    out.write('{"msg":"é ü 日本"}\n');
    out.write('{"msg":"second"}\n');
    // Checked at once: nothing asynchronous can have run in between.
    expect(file.read()).toBe('');
    out.write(`{"msg":"${'x'.repeat(80)}"}\n`);
    await waitFor(() => file.read() === `{"msg":"é ü 日本"}\n{"msg":"second"}\n{"msg":"${'x'.repeat(80)}"}\n`);
  });

  it('writes a partial batch on flushSync, on flush(done), and after its interval', async () => {
    const file = logFile();
    const out = new BatchedLogDestination(file.fd, { batchChars: 10_000, flushEveryMs: 60_000 });
    out.write('a\n');
    out.flushSync();
    expect(file.read()).toBe('a\n');
    out.write('b\n');
    expect(file.read()).toBe('a\n');
    await new Promise<void>((r) => out.flush(r));
    expect(file.read()).toBe('a\nb\n');
    const other = logFile();
    const timed = new BatchedLogDestination(other.fd, { batchChars: 10_000, flushEveryMs: 50 });
    timed.write('c\n');
    await waitFor(() => other.read() === 'c\n');
  });

  it('drops a batch it cannot write instead of throwing into the caller', () => {
    // A descriptor far above any this process has open: the write fails with EBADF. (Closing a
    // real one could see its number reused by another file before the write.)
    const out = new BatchedLogDestination(1_000_000, { batchChars: 10, flushEveryMs: 60_000 });
    expect(() => out.write('this line has nowhere to go\n')).not.toThrow();
    expect(() => out.flushSync()).not.toThrow();
  });

  it('never stalls the event loop when its reader stops reading: it drops lines, counts them and says so', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/log-flood.ts')], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // stdout is not read while the child floods it: the pipe fills after 64 KB.
    child.stdout.pause();
    let report = '';
    child.stderr.on('data', (d) => (report += d));
    await waitFor(() => report.includes('\n'), 20_000);
    const r = JSON.parse(report.split('\n')[0]!) as { maxDelayMs: number; dropped: number; written: number; ticks: number };
    expect(r.dropped).toBeGreaterThan(0);
    expect(r.dropped).toBeLessThan(r.written);
    // A busy loop of writes still lets timers run; no write ever waited for the reader.
    expect(r.maxDelayMs).toBeLessThan(100);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdout.resume();
    child.stdin.write('go\n');
    await new Promise((r) => child.once('exit', r));
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; droppedLogLines?: number });
    // Every loss is told, in the first line that got through after it.
    const told = lines.reduce((n, l) => n + (l.droppedLogLines ?? 0), 0);
    const { droppedInAll } = JSON.parse(report.trim().split('\n')[1]!) as { droppedInAll: number };
    expect(droppedInAll).toBeGreaterThanOrEqual(r.dropped);
    expect(told).toBe(droppedInAll);
    // The output ends with the last line, or with the notice that it too was lost.
    const last = lines.at(-1)!;
    expect(last.msg === 'after' || last.droppedLogLines !== undefined).toBe(true);
  }, 30_000);
});

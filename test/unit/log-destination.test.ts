import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  it('holds lines until a batch is full, then writes them in order, multi-byte text intact', () => {
    const file = logFile();
    const out = new BatchedLogDestination(file.fd, { batchChars: 100, flushEveryMs: 60_000 });
    out.write('{"msg":"é ü 日本"}\n');
    out.write('{"msg":"second"}\n');
    expect(file.read()).toBe('');
    out.write(`{"msg":"${'x'.repeat(80)}"}\n`);
    expect(file.read()).toBe(`{"msg":"é ü 日本"}\n{"msg":"second"}\n{"msg":"${'x'.repeat(80)}"}\n`);
  });

  it('writes a partial batch on flushSync and after its interval', async () => {
    const file = logFile();
    const out = new BatchedLogDestination(file.fd, { batchChars: 10_000, flushEveryMs: 50 });
    out.write('a\n');
    out.flushSync();
    expect(file.read()).toBe('a\n');
    out.write('b\n');
    // Not written until the interval passes, then written by it.
    expect(file.read()).toBe('a\n');
    await waitFor(() => file.read() === 'a\nb\n');
  });

  it('drops a batch it cannot write instead of throwing into the caller', () => {
    // A descriptor far above any this process has open: the write fails with EBADF. (Closing a
    // real one could see its number reused by another file before the write.)
    const out = new BatchedLogDestination(1_000_000, { batchChars: 10, flushEveryMs: 60_000 });
    expect(() => out.write('this line has nowhere to go\n')).not.toThrow();
  });
});

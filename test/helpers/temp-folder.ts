import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';

/**
 * Each test file's temporary folders (data folders, keys, logs, screenshots, and those of every
 * process it starts) go into one folder of its own, removed when the file ends: `os.tmpdir()`
 * follows `TMPDIR`, and child processes inherit it. Without this, every run left about 140 data
 * folders behind. The folder sits in the project's (temp-root-global-setup.ts), which the end of
 * the run removes in case an afterAll hook of the file failed and this one did not run.
 */
const before = process.env.TMPDIR;
const folder = mkdtempSync(join(inject('testTempRoot'), 'file-'));
// Other users may pass through (not list) it: PostgreSQL runs as its own user when tests run as root.
chmodSync(folder, 0o711);
process.env.TMPDIR = folder;

// Registered first, so it runs after the file's own afterAll hooks have stopped its servers.
afterAll(() => {
  if (before === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = before;
  rmSync(folder, { recursive: true, force: true, maxRetries: 5 });
});

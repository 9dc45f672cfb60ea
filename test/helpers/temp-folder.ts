import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Each test file's temporary folders (data folders, keys, logs, screenshots, and those of every
 * process it starts) go into one folder of its own, removed when the file ends: `os.tmpdir()`
 * follows `TMPDIR`, and child processes inherit it. Without this, every run left about 140 data
 * folders behind.
 */
process.env.SWITCHBOARD_TEST_SYSTEM_TMPDIR ??= tmpdir();
const system = process.env.SWITCHBOARD_TEST_SYSTEM_TMPDIR;
const folder = mkdtempSync(join(system, 'switchboard-test-file-'));
// Other users may pass through (not list) it: PostgreSQL runs as its own user when tests run as root.
chmodSync(folder, 0o711);
process.env.TMPDIR = folder;

// Registered first, so it runs after the file's own afterAll hooks have stopped its servers.
afterAll(() => {
  process.env.TMPDIR = system;
  rmSync(folder, { recursive: true, force: true, maxRetries: 5 });
});

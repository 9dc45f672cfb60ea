import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder that holds the project's test files' temporary folders (test/helpers/temp-folder.ts). */
    testTempRoot: string;
  }
}

/**
 * One temporary folder per project, removed when the run ends: it takes what a test file's own
 * clean-up left behind because one of its afterAll hooks failed.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-test-run-'));
  // Other users may pass through (not list) it: PostgreSQL runs as its own user when tests run as root.
  chmodSync(root, 0o711);
  project.provide('testTempRoot', root);
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 5 });
}

import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packageDatabase, prepareTemplate, REDMINE_PACKAGES } from './redmine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The prepared Redmine database each test file's server copies; '' when Redmine is not installed. */
    redmineTemplate: string;
  }
}

/**
 * Prepares one Redmine database for the `redmine` project (about 12 s), or says once why its tests
 * are skipped. Its folder is removed when the project ends.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  if (!packageDatabase()) {
    console.warn(`redmine: skipped, Redmine is not installed (${REDMINE_PACKAGES})`);
    project.provide('redmineTemplate', '');
    return;
  }
  const template = prepareTemplate();
  project.provide('redmineTemplate', template);
  return () => rmSync(dirname(template), { recursive: true, force: true });
}

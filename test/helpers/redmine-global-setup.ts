import type { TestProject } from 'vitest/node';
import { packageDatabase, prepareTemplate, REDMINE_PACKAGES } from './redmine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The prepared Redmine database each test file's server copies; '' when Redmine is not installed. */
    redmineTemplate: string;
  }
}

/** Prepares one Redmine database for the `redmine` project (about 12 s), or says once why its tests are skipped. */
export default function setup(project: TestProject): void {
  if (!packageDatabase()) {
    console.warn(`redmine: skipped, Redmine is not installed (${REDMINE_PACKAGES})`);
    project.provide('redmineTemplate', '');
    return;
  }
  project.provide('redmineTemplate', prepareTemplate());
}

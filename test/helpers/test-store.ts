import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';

export type TestStoreKind = 'sqlite' | 'postgres';

export const testStoreKind = (): TestStoreKind => (process.env.SWITCHBOARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

export interface TestStoreTarget {
  kind: TestStoreKind;
  dataDir: string;
  /** Set for PostgreSQL: a fresh database for this caller. */
  databaseUrl?: string;
}

/** A fresh, empty store location for one test server: a temp directory, plus a new database on PostgreSQL. */
export async function newTestStore(): Promise<TestStoreTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  if (testStoreKind() === 'sqlite') return { kind: 'sqlite', dataDir };
  const admin = inject('postgresAdminUrl');
  const name = `sb_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { kind: 'postgres', dataDir, databaseUrl: url.toString() };
}

/** The store at `target`, opened as a test that reads or writes it directly needs it. */
export function openTargetStore(target: TestStoreTarget, silenceMs = 30_000): Store {
  return openStore({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, silenceMs });
}

/**
 * The settings every switchboard process sharing `target` starts with: its store, one master key
 * for all of them, any free port, warnings only; `extra` adds or replaces settings.
 */
export function processEnv(target: TestStoreTarget, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SWITCHBOARD_DATA_DIR: target.dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
    ...extra,
  };
}

/** The first organization's secrets, as the first start saved them, and their `Authorization`. */
export function bootstrapSecrets(dataDir: string): { userSecret: string; organizationSecret: string; auth: string } {
  const secrets = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as { userSecret: string; organizationSecret: string };
  return { ...secrets, auth: `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}` };
}

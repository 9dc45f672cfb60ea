import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

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

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { keepingStatements } from './sqlite-statements.ts';
import type { Database } from './tables.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`; absent means SQLite. */
  databaseUrl?: string | undefined;
  /** Directory of the SQLite file `switchboard.db`. */
  dataDir: string;
}

/** The one place that chooses the SQL dialect; everything above it speaks Kysely only. */
export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = new SQLite(join(options.dataDir, 'switchboard.db'));
  // WAL lets the API read while the worker writes; busy_timeout waits for a lock instead of failing.
  file.pragma('journal_mode = WAL');
  file.pragma('busy_timeout = 5000');
  file.pragma('foreign_keys = ON');
  // better-sqlite3 builds SQLite with a 16 MB page cache; a bulk export writing its results
  // filled it and kept it for the life of the process. The tables a request reads are small and
  // the file is in the OS's cache, so 4 MB holds their hot pages.
  file.pragma('cache_size = -4000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: keepingStatements(file) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

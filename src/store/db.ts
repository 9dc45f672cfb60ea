import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { endSilentConnections } from './silent-connections.ts';
import { keepingStatements } from './sqlite-statements.ts';
import type { Database } from './tables.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /**
   * Where the loss of a database connection is told (a restart, a failover, a session ended by an
   * administrator): the pool drops the connection and opens another when one is needed. Until a
   * listener is set, it is written to stderr.
   */
  onConnectionError(listener: (err: Error) => void): void;
  /**
   * Runs `work` with no limit on how long its connections may stay silent (`silenceMs`): for the
   * start-up's migrations and its lock, which may rightly wait long.
   */
  patiently<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`; absent means SQLite. */
  databaseUrl?: string | undefined;
  /** Directory of the SQLite file `switchboard.db`. */
  dataDir: string;
  /** How long a PostgreSQL connection in use may stay silent before it is closed (`endSilentConnections`). */
  silenceMs: number;
}

/** How long a call, or the signal connection, waits to connect to PostgreSQL. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The one place that chooses the SQL dialect; everything above it speaks Kysely only. */
export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    // A database that does not answer fails the call that waits for a connection, not hang it.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    let listener = (err: Error): void => {
      process.stderr.write(`database connection lost: ${err.message}\n`);
    };
    // An error of a connection, idle or in use (a transaction between two statements), is an
    // 'error' event: without a listener on each connection it would end the process. The query it
    // interrupts fails by itself, and the pool drops the connection when it comes back.
    pool.on('connect', (client) => client.on('error', (err) => listener(err)));
    // The pool tells of an idle connection's error too: the connection's own listener has told it.
    pool.on('error', () => undefined);
    let patient = 0;
    endSilentConnections(pool, options.silenceMs, () => patient === 0);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      onConnectionError: (l) => {
        listener = l;
      },
      patiently: async (work) => {
        patient++;
        try {
          return await work();
        } finally {
          patient--;
        }
      },
      close: () => db.destroy(),
    };
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
  // A file has no connection to lose.
  return { db, dialect: 'sqlite', onConnectionError: () => undefined, patiently: (work) => work(), close: () => db.destroy() };
}

import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** SQL text of the statements kept, in all: a rough bound of their memory (a statement takes ~30× its text). */
const KEPT_SQL_CHARS = 64 * 1024;

/** The rollback of a transaction SQLite has already rolled back: nothing to do. */
const ROLLED_BACK: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

/**
 * better-sqlite3's database for Kysely, keeping each prepared statement for the next query of
 * the same SQL text. Kysely prepares every query anew, and a prepare is SQLite parsing and
 * planning the text again: a 200-row insert of usage records took ~1 ms to prepare and 2.5–5 ms
 * to run.
 *
 * The statements kept are bounded by their texts' total length, least recently used first out
 * (a statement's memory grows with its text: a 200-row insert takes ~0.3 MB). A statement still
 * being iterated (a streamed select) is busy, so a query of the same text meanwhile gets a
 * statement of its own.
 */
export function keepingStatements(db: SQLite.Database, keptSqlChars: number = KEPT_SQL_CHARS): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  let keptChars = 0;
  return {
    close() {
      kept.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      // SQLite rolls a transaction back by itself on some errors (a full disk, an I/O error, a
      // lock it could not get). Kysely's rollback after it would fail with "no transaction is
      // active", and that error would replace the one that said what happened.
      if (sql === 'rollback' && !db.inTransaction) return ROLLED_BACK;
      const statement = kept.get(sql);
      if (statement !== undefined) {
        if (statement.busy) return db.prepare(sql);
        // The most recently used goes last, so that the first is the one to drop.
        kept.delete(sql);
        kept.set(sql, statement);
        return statement;
      }
      const fresh = db.prepare(sql);
      if (sql.length > keptSqlChars) return fresh;
      kept.set(sql, fresh);
      keptChars += sql.length;
      for (const oldest of kept.keys()) {
        if (keptChars <= keptSqlChars) break;
        kept.delete(oldest);
        keptChars -= oldest.length;
      }
      return fresh;
    },
  };
}

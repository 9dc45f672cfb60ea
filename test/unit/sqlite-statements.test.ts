import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { keepingStatements } from '../../src/store/sqlite-statements.ts';

/** The SQLite store keeps prepared statements by SQL text: the same statement comes back, bounded, never one that is busy. */
let file: SQLite.Database | undefined;
const open = () => {
  file = new SQLite(':memory:');
  file.exec('create table t (id integer primary key, v text)');
  return file;
};
afterEach(() => {
  if (file?.open) file.close();
});

describe('kept SQLite statements', () => {
  it('give the same prepared statement for the same text, and queries through Kysely answer as before', async () => {
    const db = keepingStatements(open());
    expect(db.prepare('select * from t')).toBe(db.prepare('select * from t'));
    expect(db.prepare('select * from t')).not.toBe(db.prepare('select v from t'));
    const kysely = new Kysely<{ t: { id: number; v: string } }>({ dialect: new SqliteDialect({ database: db }) });
    for (let i = 0; i < 5; i++)
      await kysely
        .insertInto('t')
        .values({ id: i, v: `v${i}` })
        .execute();
    const read = (id: number) => kysely.selectFrom('t').select('v').where('id', '=', id).executeTakeFirst();
    expect([await read(1), await read(3), await read(9)]).toEqual([{ v: 'v1' }, { v: 'v3' }, undefined]);
    await kysely.destroy();
    expect(file!.open).toBe(false);
  });

  it('never give out a kept statement that is still being iterated', () => {
    const db = keepingStatements(open());
    file!.exec("insert into t (id, v) values (1, 'a'), (2, 'b')");
    const kept = db.prepare('select id from t order by id');
    const rows = kept.iterate([]);
    expect(rows.next().value).toEqual({ id: 1 });
    // Mid-iteration (a streamed select that has not finished): another statement of the same text.
    expect(db.prepare('select id from t order by id')).not.toBe(kept);
    rows.return?.();
    expect(db.prepare('select id from t order by id')).toBe(kept);
    expect(kept.all([])).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('keep texts up to their total length, dropping the least recently used, and never keep one longer than that', () => {
    const db = keepingStatements(open(), 100);
    const a = 'select id from t where id = 1'; // 29 characters each
    const b = 'select id from t where id = 2';
    const c = 'select id from t where id = 3';
    const first = { a: db.prepare(a), b: db.prepare(b), c: db.prepare(c) };
    expect(db.prepare(a)).toBe(first.a); // now the most recently used
    db.prepare('select v  from t where id = 4'); // 87 + 29 > 100: the oldest, b, goes
    expect(db.prepare(a)).toBe(first.a);
    expect(db.prepare(c)).toBe(first.c);
    expect(db.prepare(b)).not.toBe(first.b);
    const long = `select id from t where v = '${'x'.repeat(100)}'`;
    expect(db.prepare(long)).not.toBe(db.prepare(long));
    // The long text took nothing from what was kept.
    expect(db.prepare(c)).toBe(first.c);
  });
});

import { sql } from 'kysely';
import type { TestServer } from './test-server.ts';

/**
 * Makes the test server's store refuse inserts into `table` (those matching `when`, an SQL
 * condition on `new`), with a trigger: a real failure of the store, on SQLite and on PostgreSQL,
 * in the middle of whatever the server is doing. Returns the function that lifts it.
 */
export async function refuseInserts(server: TestServer, table: string, when?: string): Promise<() => Promise<void>> {
  const db = server.store.db;
  if (server.target.kind === 'sqlite') {
    await sql
      .raw(
        `create trigger refuse_insert before insert on ${table} ${when ? `when ${when}` : ''} begin select raise(abort, 'the ${table} table refuses the row'); end`,
      )
      .execute(db);
    return async () => void (await sql.raw('drop trigger refuse_insert').execute(db));
  }
  await sql
    .raw(
      `create or replace function refuse_insert() returns trigger language plpgsql as $$ begin raise exception 'the % table refuses the row', TG_TABLE_NAME; end $$`,
    )
    .execute(db);
  await sql
    .raw(`create trigger refuse_insert before insert on ${table} for each row ${when ? `when (${when})` : ''} execute function refuse_insert()`)
    .execute(db);
  return async () => void (await sql.raw(`drop trigger refuse_insert on ${table}`).execute(db));
}

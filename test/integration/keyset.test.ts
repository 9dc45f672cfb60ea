import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { type KeysetPosition, newestFirst } from '../../src/store/keyset.ts';
import { newTestStore, openTargetStore } from '../helpers/test-store.ts';

/**
 * Newest-first keyset pages (events, bulk jobs, scheduled jobs), on the store this project runs
 * on: every row of the scope once, in order, when rows share a creation instant and rows of
 * another scope lie between them.
 */
interface Row {
  id: string;
  scope: number;
  created_at: string;
}
let store: Store;
const db = () => store.db.withTables<{ keyset_rows: Row }>();

beforeAll(async () => {
  const target = await newTestStore();
  store = openTargetStore(target);
  await sql`create table keyset_rows (id text primary key, scope integer not null, created_at text not null)`.execute(store.db);
  const rows: Row[] = [];
  for (let i = 0; i < 12; i++)
    rows.push({ id: `r${String(i).padStart(2, '0')}`, scope: i % 3 === 0 ? 2 : 1, created_at: `2026-01-0${1 + Math.floor(i / 4)}T00:00:00.000Z` });
  await db().insertInto('keyset_rows').values(rows).execute();
});
afterAll(async () => {
  await store.close();
});

describe('newest-first keyset pages', () => {
  it('return every row of the scope once, newest first, across instants shared by several rows', async () => {
    const seen: string[] = [];
    let after: KeysetPosition | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await newestFirst(db().selectFrom('keyset_rows').selectAll().where('scope', '=', 1), after)
        .limit(2)
        .execute();
      for (const row of page) {
        expect(row.scope).toBe(1);
        seen.push(row.id);
      }
      if (page.length < 2) break;
      const last = page[page.length - 1]!;
      after = { createdAt: last.created_at, id: last.id };
    }
    const expected = (await db().selectFrom('keyset_rows').select(['id', 'created_at']).where('scope', '=', 1).execute())
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
      .map((r) => r.id);
    expect(expected).toHaveLength(8);
    expect(seen).toEqual(expected);
  });
});

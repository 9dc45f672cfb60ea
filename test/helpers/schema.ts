import type { Store } from '../../src/store/db.ts';

/** `table.column` of every column named `*_enc` in the live database schema (either dialect). */
export async function encryptedColumnsInSchema(store: Store): Promise<string[]> {
  const tables = await store.db.introspection.getTables();
  return tables.flatMap((t) => t.columns.filter((c) => c.name.endsWith('_enc')).map((c) => `${t.name}.${c.name}`)).sort();
}

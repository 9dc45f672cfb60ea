import type { Cipher } from '../platform/crypto.ts';
import type { Store } from './db.ts';

/**
 * Every encrypted column with the AAD its values were sealed with. A rotation re-encrypts
 * exactly these; a new encrypted column must be listed here (the rotation test checks that no
 * ciphertext under an old key survives).
 */
interface EncryptedColumn {
  table: 'platform_keys' | 'organizations' | 'users' | 'instances';
  key: 'name' | 'id';
  column: string;
  aad: (row: Record<string, unknown>) => string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'platform_keys', key: 'name', column: 'value_enc', aad: (r) => `platform_keys:${String(r.name)}` },
  { table: 'organizations', key: 'id', column: 'secret_enc', aad: (r) => `organization-secret:${String(r.secret_hash)}` },
  { table: 'users', key: 'id', column: 'secret_enc', aad: (r) => `user-secret:${String(r.secret_hash)}` },
  { table: 'instances', key: 'id', column: 'token_enc', aad: (r) => `instance-token:${String(r.token_hash)}` },
  { table: 'instances', key: 'id', column: 'configuration_enc', aad: (r) => `instance:${String(r.id)}:configuration` },
  { table: 'instances', key: 'id', column: 'provider_data_enc', aad: (r) => `instance:${String(r.id)}:providerData` },
];

/**
 * Re-encrypts every value not yet under the cipher's active key, row by row, each update
 * conditional on the old ciphertext so a concurrent write by a running server is never lost.
 * Running servers keep working throughout: they decrypt with old and new keys alike.
 */
export async function reencryptAll(store: Store, cipher: Cipher): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const prefix = `v1.${cipher.activeKeyId}.`;
  const db = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
  for (const col of ENCRYPTED_COLUMNS) {
    let n = 0;
    const rows = await db.selectFrom(col.table).selectAll().execute();
    for (const row of rows) {
      const value = row[col.column];
      if (typeof value !== 'string' || value === '' || value.startsWith(prefix)) continue;
      const aad = col.aad(row);
      const next = cipher.encrypt(cipher.decrypt(value, aad), aad);
      const res = await db.updateTable(col.table).set({ [col.column]: next })
        .where(col.key, '=', row[col.key]).where(col.column, '=', value).executeTakeFirst();
      n += Number(res.numUpdatedRows);
    }
    counts[`${col.table}.${col.column}`] = n;
  }
  return counts;
}

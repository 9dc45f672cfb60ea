import type { Cipher } from '../platform/crypto.ts';
import type { Store } from './db.ts';

/**
 * The purposes of secrets stored as a lookup hash plus a ciphertext (`SecretBox`): the AAD of
 * each ciphertext is `<purpose>:<hash>`. Repositories seal and open with these, and nothing
 * outside a repository encrypts or decrypts.
 */
export const SEALED = {
  organizationSecret: 'organization-secret',
  userSecret: 'user-secret',
  instanceToken: 'instance-token',
  webhookSecret: 'event-webhook-secret',
} as const;

/** The AADs of the columns encrypted whole under the master key. */
export const AAD = {
  instanceConfiguration: (id: number) => `instance:${id}:configuration`,
  instanceProviderData: (id: number) => `instance:${id}:providerData`,
  platformKey: (name: string) => `platform_keys:${name}`,
  deliveryUrl: (id: string) => `delivery:${id}:url`,
  bulkChunk: (id: string) => `bulk_chunks:${id}`,
  bulkError: (id: string) => `bulk_errors:${id}`,
  bulkCallbackUrl: (jobId: string) => `bulk_jobs:${jobId}:callback_url`,
  scheduledCall: (jobId: string) => `scheduled_jobs:${jobId}:call`,
  subscriptionUrl: (id: string) => `notification_subscriptions:${id}:url`,
  webhookRemovalContext: (id: string) => `webhook_removals:${id}:context`,
};

/**
 * Every encrypted column (named `*_enc`) with the AAD its values were sealed with. A rotation
 * re-encrypts exactly these; a test compares this list with the `*_enc` columns of the migrated
 * schema, so a new encrypted column cannot be left out.
 */
interface EncryptedColumn {
  table:
    | 'platform_keys'
    | 'organizations'
    | 'users'
    | 'instances'
    | 'event_sources'
    | 'deliveries'
    | 'bulk_jobs'
    | 'bulk_chunks'
    | 'bulk_errors'
    | 'scheduled_jobs'
    | 'notification_subscriptions'
    | 'webhook_removals';
  key: 'name' | 'id' | 'instance_id';
  column: string;
  aad: (row: Record<string, unknown>) => string;
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  { table: 'platform_keys', key: 'name', column: 'value_enc', aad: (r) => AAD.platformKey(String(r.name)) },
  { table: 'organizations', key: 'id', column: 'secret_enc', aad: (r) => `${SEALED.organizationSecret}:${String(r.secret_hash)}` },
  { table: 'users', key: 'id', column: 'secret_enc', aad: (r) => `${SEALED.userSecret}:${String(r.secret_hash)}` },
  { table: 'instances', key: 'id', column: 'token_enc', aad: (r) => `${SEALED.instanceToken}:${String(r.token_hash)}` },
  { table: 'instances', key: 'id', column: 'configuration_enc', aad: (r) => AAD.instanceConfiguration(Number(r.id)) },
  { table: 'instances', key: 'id', column: 'provider_data_enc', aad: (r) => AAD.instanceProviderData(Number(r.id)) },
  { table: 'event_sources', key: 'instance_id', column: 'webhook_secret_enc', aad: (r) => `${SEALED.webhookSecret}:${String(r.webhook_secret_hash)}` },
  { table: 'deliveries', key: 'id', column: 'url_enc', aad: (r) => AAD.deliveryUrl(String(r.id)) },
  { table: 'bulk_jobs', key: 'id', column: 'callback_url_enc', aad: (r) => AAD.bulkCallbackUrl(String(r.id)) },
  { table: 'bulk_chunks', key: 'id', column: 'data_enc', aad: (r) => AAD.bulkChunk(String(r.id)) },
  { table: 'bulk_errors', key: 'id', column: 'data_enc', aad: (r) => AAD.bulkError(String(r.id)) },
  { table: 'scheduled_jobs', key: 'id', column: 'call_enc', aad: (r) => AAD.scheduledCall(String(r.id)) },
  { table: 'notification_subscriptions', key: 'id', column: 'url_enc', aad: (r) => AAD.subscriptionUrl(String(r.id)) },
  { table: 'webhook_removals', key: 'id', column: 'context_enc', aad: (r) => AAD.webhookRemovalContext(String(r.id)) },
];

/** Rows re-encrypted per read: bulk results can be far larger than memory. */
const REENCRYPT_PAGE = 500;

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
    let after: unknown;
    for (;;) {
      const rows = await db
        .selectFrom(col.table)
        .selectAll()
        .$if(after !== undefined, (q) => q.where(col.key, '>', after))
        .orderBy(col.key)
        .limit(REENCRYPT_PAGE)
        .execute();
      if (rows.length === 0) break;
      after = rows.at(-1)![col.key];
      n += await reencryptRows(db, col, rows, cipher, prefix);
    }
    counts[`${col.table}.${col.column}`] = n;
  }
  return counts;
}

async function reencryptRows(
  db: import('kysely').Kysely<Record<string, Record<string, unknown>>>,
  col: EncryptedColumn,
  rows: Record<string, unknown>[],
  cipher: Cipher,
  prefix: string,
): Promise<number> {
  let n = 0;
  for (const row of rows) {
    const value = row[col.column];
    if (typeof value !== 'string' || value === '' || value.startsWith(prefix)) continue;
    const aad = col.aad(row);
    const next = cipher.encrypt(cipher.decrypt(value, aad), aad);
    const res = await db
      .updateTable(col.table)
      .set({ [col.column]: next })
      .where(col.key, '=', row[col.key])
      .where(col.column, '=', value)
      .executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

import { randomBytes } from 'node:crypto';
import type { Cipher } from '../platform/crypto.ts';
import type { Store } from './db.ts';

const NAME = 'lookup-hash-key';
const AAD = 'platform_keys:lookup-hash-key';

/**
 * The HMAC key behind every secret lookup. It lives in the store, encrypted under the master
 * key, so all processes sharing a database agree on it and a master-key rotation re-encrypts it
 * without changing any lookup hash. Concurrent first starts converge on one key.
 */
export async function loadLookupKey(store: Store, cipher: Cipher, now: Date): Promise<Buffer> {
  const existing = await store.db.selectFrom('platform_keys').select('value_enc').where('name', '=', NAME).executeTakeFirst();
  if (existing) return Buffer.from(cipher.decrypt(existing.value_enc, AAD), 'base64');
  const candidate = randomBytes(32).toString('base64');
  await store.db.insertInto('platform_keys')
    .values({ name: NAME, value_enc: cipher.encrypt(candidate, AAD), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return loadLookupKey(store, cipher, now);
}

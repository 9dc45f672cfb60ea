import { randomBytes } from 'node:crypto';
import { Cipher } from '../platform/crypto.ts';
import { loadCipher, MissingMasterKeyError, keyringPath } from '../platform/keyring.ts';
import type { Store } from './db.ts';
import { AAD } from './encrypted-columns.ts';

const NAME = 'lookup-hash-key';
const KEY_AAD = AAD.platformKey(NAME);

export interface MasterKeySettings {
  dataDir: string;
  masterKey: string | undefined;
  previousMasterKeys: readonly string[];
}

const lookupKeyRow = (store: Store) => store.db.selectFrom('platform_keys').select('value_enc').where('name', '=', NAME).executeTakeFirst();

/**
 * The master keyring, checked against the store before anything is written: a store that already
 * holds ciphertexts names the key that made them, and a keyring without that key is a start-up
 * error saying which setting to fix, never a new key file beside data it cannot read.
 */
export async function openKeyring(store: Store, settings: MasterKeySettings): Promise<Cipher> {
  const existing = await lookupKeyRow(store);
  const needed = existing ? Cipher.keyIdOf(existing.value_enc) : undefined;
  const cipher = loadCipher(settings.dataDir, settings.masterKey, settings.previousMasterKeys, { create: existing === undefined });
  if (needed !== undefined && !cipher.hasKey(needed)) {
    const where =
      settings.masterKey !== undefined
        ? `SWITCHBOARD_MASTER_KEY is key ${cipher.activeKeyId}${settings.previousMasterKeys.length ? ' and SWITCHBOARD_PREVIOUS_MASTER_KEYS does not hold it either' : ''}`
        : `${keyringPath(settings.dataDir)} does not hold it`;
    throw new MissingMasterKeyError(
      `the database's secrets are encrypted under master key ${needed}, but ${where}: set SWITCHBOARD_MASTER_KEY to the key the database was created with (during a rotation, the old one goes in SWITCHBOARD_PREVIOUS_MASTER_KEYS)`,
    );
  }
  return cipher;
}

/**
 * The HMAC key behind every secret lookup. It lives in the store, encrypted under the master
 * key, so all processes sharing a database agree on it and a master-key rotation re-encrypts it
 * without changing any lookup hash. Concurrent first starts converge on one key.
 */
export async function loadLookupKey(store: Store, cipher: Cipher, now: Date): Promise<Buffer> {
  const existing = await lookupKeyRow(store);
  if (existing) return Buffer.from(cipher.decrypt(existing.value_enc, KEY_AAD), 'base64');
  const candidate = randomBytes(32).toString('base64');
  await store.db
    .insertInto('platform_keys')
    .values({ name: NAME, value_enc: cipher.encrypt(candidate, KEY_AAD), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return loadLookupKey(store, cipher, now);
}

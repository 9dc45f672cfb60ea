import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync, chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Cipher, keyId, parseKeyMaterial, type DataKey, type KeySource } from './crypto.ts';

/**
 * The master keyring. Either the operator supplies the key (`SWITCHBOARD_MASTER_KEY[_FILE]`,
 * required when several processes share one database), or the first start generates one into
 * `<dataDir>/master.key` with mode 0600. The file holds every key that may still have
 * ciphertexts in the store, so a rotation can add a key before re-encrypting.
 */
export interface KeyringFile {
  active: string;
  keys: Record<string, string>;
}

export const keyringPath = (dataDir: string): string => join(dataDir, 'master.key');

export interface LoadCipherOptions {
  /** Whether a missing key file may be created: only for a store that holds no ciphertext yet. */
  create?: boolean;
}

/** The keyring is missing a key that existing ciphertexts need; the message says what to set. */
export class MissingMasterKeyError extends Error {}

export function loadCipher(dataDir: string, masterKey: string | undefined, previousKeys: readonly string[] = [], options: LoadCipherOptions = {}): Cipher {
  const fileKeys = readKeyringFile(dataDir);
  if (masterKey !== undefined) {
    const key = parseKeyMaterial(masterKey, 'SWITCHBOARD_MASTER_KEY');
    const active: DataKey = { id: keyId(key), key };
    const others = [
      ...previousKeys.map((k) => parseKeyMaterial(k, 'previous master key')),
      ...Object.values(fileKeys?.keys ?? {}).map((k) => Buffer.from(k, 'base64')),
    ]
      .map((k) => ({ id: keyId(k), key: k }))
      .filter((k) => k.id !== active.id);
    return new Cipher(active, others);
  }
  if (!fileKeys) {
    if (options.create === false) {
      throw new MissingMasterKeyError(
        `the database holds secrets encrypted under a master key, and none is configured: set SWITCHBOARD_MASTER_KEY to that key, or put back ${keyringPath(dataDir)}`,
      );
    }
    createKeyringFile(dataDir);
  }
  const source = fileSource(dataDir);
  const { active, others } = source.load();
  return new Cipher(active, others, source);
}

/** The key file as a changing source: a rotation in another process shows up here. */
function fileSource(dataDir: string): KeySource {
  const path = keyringPath(dataDir);
  let mtime = 0;
  return {
    load() {
      mtime = statSync(path).mtimeMs;
      const file = readKeyringFile(dataDir)!;
      const entries = Object.entries(file.keys).map(([id, k]) => ({ id, key: Buffer.from(k, 'base64') }));
      const active = entries.find((e) => e.id === file.active);
      if (!active) throw new Error(`${path}: active key ${file.active} is missing`);
      return { active, others: entries.filter((e) => e !== active) };
    },
    changed: () => statSync(path).mtimeMs !== mtime,
  };
}

/**
 * Adds a new key to the key file and makes it active; the old keys stay so existing ciphertexts
 * still decrypt until they are re-encrypted. Returns the new key id.
 */
export function addActiveKey(dataDir: string): string {
  const file = readKeyringFile(dataDir);
  if (!file) throw new Error(`${keyringPath(dataDir)} does not exist; nothing to rotate`);
  const key = randomBytes(32);
  const id = keyId(key);
  writeKeyringFile(dataDir, { active: id, keys: { ...file.keys, [id]: key.toString('base64') } });
  return id;
}

function readKeyringFile(dataDir: string): KeyringFile | undefined {
  const path = keyringPath(dataDir);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyringFile;
  for (const [id, k] of Object.entries(parsed.keys)) {
    if (keyId(Buffer.from(k, 'base64')) !== id) throw new Error(`${path}: key ${id} does not match its id`);
  }
  return parsed;
}

function createKeyringFile(dataDir: string): KeyringFile {
  const key = randomBytes(32);
  const file: KeyringFile = { active: keyId(key), keys: { [keyId(key)]: key.toString('base64') } };
  writeKeyringFile(dataDir, file);
  return file;
}

/** Writes atomically (temp file + rename) with mode 0600, so a crash never leaves half a key. */
export function writeKeyringFile(dataDir: string, file: KeyringFile): void {
  mkdirSync(dataDir, { recursive: true });
  const path = keyringPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** A 32-byte AES key with a short id, so ciphertexts name the key that made them. */
export interface DataKey {
  readonly id: string;
  readonly key: Buffer;
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('switchboard-key-id').update(key).digest('hex').slice(0, 8);
}

export function parseKeyMaterial(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes as base64 or 64 hex characters`);
  return key;
}

/** Where a keyring comes from when it can change while the process runs (the key file). */
export interface KeySource {
  load(): { active: DataKey; others: DataKey[] };
  changed(): boolean;
}

/**
 * AES-256-GCM envelope: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The AAD binds a
 * ciphertext to the row and column it belongs to, so a value copied into another row fails to
 * decrypt instead of silently authenticating there.
 */
export class Cipher {
  #active: DataKey;
  #byId: Map<string, DataKey>;
  readonly #source: KeySource | undefined;
  #checkedAt = 0;

  /** `source` lets a running process pick up keys added by a rotation in another process. */
  constructor(active: DataKey, others: readonly DataKey[] = [], source?: KeySource) {
    this.#active = active;
    this.#byId = new Map([active, ...others].map((k) => [k.id, k]));
    this.#source = source;
  }

  get activeKeyId(): string {
    return this.#active.id;
  }

  /** Whether ciphertexts made with key `id` decrypt here (the key file is read again first if not). */
  hasKey(id: string): boolean {
    if (!this.#byId.has(id)) this.#reload();
    return this.#byId.has(id);
  }

  #reload(): void {
    if (!this.#source) return;
    const { active, others } = this.#source.load();
    this.#active = active;
    this.#byId = new Map([active, ...others].map((k) => [k.id, k]));
  }

  encrypt(plaintext: string, aad: string): string {
    // At most every 5 s: has a rotation made another key active?
    if (this.#source && Date.now() - this.#checkedAt > 5000) {
      this.#checkedAt = Date.now();
      if (this.#source.changed()) this.#reload();
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#active.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.#active.id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(envelope: string, aad: string): string {
    const [version, id, iv, tag, body] = envelope.split('.');
    if (version !== 'v1' || id === undefined || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('Unrecognised ciphertext envelope');
    }
    if (!this.#byId.has(id)) this.#reload();
    const key = this.#byId.get(id);
    if (!key) throw new Error(`Ciphertext was made with key ${id}, which is not in the keyring`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id inside an envelope, to find rows that still need re-encryption after a rotation. */
  static keyIdOf(envelope: string): string | undefined {
    return envelope.split('.')[1];
  }
}

/**
 * Keyed hash used to find a row by a secret without storing the secret in a searchable form.
 * HMAC-SHA256 with a key kept (encrypted) in the store, so an attacker with only the database
 * cannot confirm guesses.
 */
export class LookupHasher {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    this.#key = key;
  }
  hash(purpose: string, secret: string): string {
    return createHmac('sha256', this.#key).update(purpose).update('\0').update(secret).digest('base64url');
  }
}

/** 16 random bytes as lowercase hex: the Open Connectors organization secret shape. */
export const newOrganizationSecret = (): string => randomBytes(16).toString('hex');
/** Base64 of 32 random bytes (44 characters): user secrets and instance tokens. */
export const newBase64Secret = (): string => randomBytes(32).toString('base64');
/**
 * Request ids: 24 hex characters, the shape of Open Connectors request ids, made as MongoDB
 * ObjectIds are: 4 bytes of seconds since the epoch, 5 random bytes drawn once per process, and a
 * 3-byte counter that starts at a random value. Unique across processes, and rising with time:
 * every call's id goes into the usage index on `request_id`, and an id that sorts after the last
 * one is appended there instead of being written into a random page of the index.
 */
export class RequestIds {
  readonly #process = randomBytes(5).toString('hex');
  #counter = randomBytes(3).readUIntBE(0, 3);

  constructor(private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {}

  next(): string {
    this.#counter = (this.#counter + 1) & 0xffffff;
    const seconds = this.nowSeconds() >>> 0;
    return seconds.toString(16).padStart(8, '0') + this.#process + this.#counter.toString(16).padStart(6, '0');
  }
}
/** A generated password that is easy to copy: 20 characters of base64url. */
export const newPassword = (): string => randomBytes(15).toString('base64url');

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

/** scrypt password hash: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

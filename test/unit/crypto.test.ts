import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Cipher, LookupHasher, hashPassword, keyId, newBase64Secret, newOrganizationSecret, RequestIds, verifyPassword } from '../../src/platform/crypto.ts';
import { keyringPath, loadCipher } from '../../src/platform/keyring.ts';
import { SecretBox } from '../../src/platform/secret-box.ts';

const key = () => {
  const k = randomBytes(32);
  return { id: keyId(k), key: k };
};

describe('Cipher', () => {
  it('round-trips and binds ciphertexts to their AAD', () => {
    const c = new Cipher(key());
    const env = c.encrypt('hunter2', 'instance:1:password');
    expect(env).not.toContain('hunter2');
    expect(c.decrypt(env, 'instance:1:password')).toBe('hunter2');
    expect(() => c.decrypt(env, 'instance:2:password')).toThrow();
    // One bit of the ciphertext flipped (a character swapped for another could be the same one,
    // or land in a base64 character's unused bits).
    const parts = env.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0]! ^= 1;
    const tampered = [...parts.slice(0, 4), body.toString('base64url')].join('.');
    expect(() => c.decrypt(tampered, 'instance:1:password')).toThrow();
  });

  it('decrypts with older keys after a new key becomes active', () => {
    const old = key();
    const before = new Cipher(old).encrypt('s', 'aad');
    const after = new Cipher(key(), [old]);
    expect(after.decrypt(before, 'aad')).toBe('s');
    expect(Cipher.keyIdOf(after.encrypt('s', 'aad'))).toBe(after.activeKeyId);
    expect(() => new Cipher(key()).decrypt(before, 'aad')).toThrow(/not in the keyring/);
  });
});

describe('keyring', () => {
  it('generates a 0600 key file on first use and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-key-'));
    const a = loadCipher(dir, undefined);
    expect(statSync(keyringPath(dir)).mode & 0o777).toBe(0o600);
    const b = loadCipher(dir, undefined);
    expect(b.decrypt(a.encrypt('x', 'y'), 'y')).toBe('x');
  });

  it('uses SWITCHBOARD_MASTER_KEY (base64 or hex) when given and rejects a wrong length', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-key-'));
    const raw = randomBytes(32);
    const fromB64 = loadCipher(dir, raw.toString('base64'));
    const fromHex = loadCipher(dir, raw.toString('hex'));
    expect(fromHex.decrypt(fromB64.encrypt('x', 'y'), 'y')).toBe('x');
    expect(() => loadCipher(dir, 'c2hvcnQ=')).toThrow(/32 bytes/);
  });
});

describe('secrets', () => {
  it('have the Open Connectors shapes', () => {
    expect(newOrganizationSecret()).toMatch(/^[0-9a-f]{32}$/);
    expect(newBase64Secret()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const ids = new RequestIds();
    expect(ids.next()).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(Array.from({ length: 1000 }, () => ids.next())).size).toBe(1000);
  });

  it('make request ids that rise with time, unique across processes', () => {
    let seconds = 1_800_000_000;
    const ids = new RequestIds(() => seconds);
    const first = ids.next();
    expect(first.slice(0, 8)).toBe(seconds.toString(16));
    // Within a second the counter makes them distinct; a later second sorts after.
    const sameSecond = Array.from({ length: 100 }, () => ids.next());
    expect(new Set([first, ...sameSecond]).size).toBe(101);
    seconds++;
    const later = ids.next();
    expect([first, ...sameSecond].every((id) => id < later)).toBe(true);
    // Another process (another generator) in the same second differs in its random middle.
    const other = new RequestIds(() => seconds).next();
    expect(other.slice(8, 18)).not.toBe(later.slice(8, 18));
  });

  it('are findable by keyed hash and sealed per purpose', () => {
    const box = new SecretBox(new Cipher(key()), new LookupHasher(randomBytes(32)));
    const sealed = box.seal('user-secret', 'abc');
    expect(box.lookupHash('user-secret', 'abc')).toBe(sealed.hash);
    expect(box.lookupHash('organization-secret', 'abc')).not.toBe(sealed.hash);
    expect(box.open('user-secret', sealed)).toBe('abc');
    expect(() => box.open('organization-secret', sealed)).toThrow();
    const otherKey = new SecretBox(new Cipher(key()), new LookupHasher(randomBytes(32)));
    expect(otherKey.lookupHash('user-secret', 'abc')).not.toBe(sealed.hash);
  });

  it('hashes passwords with scrypt and verifies them', async () => {
    const stored = await hashPassword('s3cret-pass');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('s3cret-pass', stored)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', stored)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

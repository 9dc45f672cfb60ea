import type { Cipher, LookupHasher } from './crypto.ts';

export interface SealedSecret {
  /** Keyed hash, indexed, to find the row from a presented secret. */
  hash: string;
  /** AES-GCM envelope, so the owner can be shown the secret again. */
  enc: string;
}

/**
 * Secrets that must be both findable and showable again (organization and user secrets,
 * instance tokens) are stored as a keyed hash plus a ciphertext, never in plain text. The AAD
 * ties the ciphertext to its purpose and hash, so rows cannot swap secrets.
 */
export class SecretBox {
  readonly #cipher: Cipher;
  readonly #hasher: LookupHasher;

  constructor(cipher: Cipher, hasher: LookupHasher) {
    this.#cipher = cipher;
    this.#hasher = hasher;
  }

  get cipher(): Cipher {
    return this.#cipher;
  }

  lookupHash(purpose: string, secret: string): string {
    return this.#hasher.hash(purpose, secret);
  }

  seal(purpose: string, secret: string): SealedSecret {
    const hash = this.lookupHash(purpose, secret);
    return { hash, enc: this.#cipher.encrypt(secret, `${purpose}:${hash}`) };
  }

  open(purpose: string, sealed: SealedSecret): string {
    return this.#cipher.decrypt(sealed.enc, `${purpose}:${sealed.hash}`);
  }
}

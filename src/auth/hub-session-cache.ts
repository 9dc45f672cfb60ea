import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Identity } from './identity.ts';

/** Where the read lane leaves the key of a call it declined, for the authentication hook. */
const LANE_KEY = Symbol('hubSessionKey');
type WithLaneKey = IncomingMessage & { [LANE_KEY]?: string };

/**
 * Hub calls repeat the same `Authorization` header thousands of times. Resolving it means three
 * lookups and two decryptions, which dominated the proxy's cost. This cache keeps the resolved
 * identity and instance for a few seconds, keyed by a hash of the header (never the header).
 * Every change to users or instances in this process clears it at once; other processes see a
 * change within `ttlMs`, the bound a deployment accepts by running several nodes.
 */
export class HubSessionCache<T> {
  readonly #entries = new Map<string, { identity: Identity; value: T; expires: number }>();
  readonly #ttlMs: number;
  readonly #max: number;

  constructor(ttlMs = 2000, max = 10_000) {
    this.#ttlMs = ttlMs;
    this.#max = max;
  }

  static key(header: string): string {
    return hash('sha256', header, 'base64url');
  }

  /**
   * The key of a call's header: the one the read lane worked out for it, when the lane declined
   * the call (`handOver`), so that a call's header is hashed once whichever path answers it.
   */
  static keyOf(raw: IncomingMessage, header: string): string {
    return (raw as WithLaneKey)[LANE_KEY] ?? HubSessionCache.key(header);
  }

  /** Leaves the key of the call's `Authorization` header with the call, for `keyOf`. */
  static handOver(raw: IncomingMessage, key: string): void {
    (raw as WithLaneKey)[LANE_KEY] = key;
  }

  get(key: string): { identity: Identity; value: T } | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.expires < Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, identity: Identity, value: T): void {
    if (this.#ttlMs <= 0) return;
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, { identity, value, expires: Date.now() + this.#ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}

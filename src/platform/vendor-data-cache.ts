import type { Invalidations } from './invalidations.ts';

/**
 * Data an element reads from its vendor and reuses across calls, per instance (the vendor's
 * list of custom fields, say): kept for the TTL the element asks, bounded in entries, and dropped on every process
 * when the element, or a change elsewhere, invalidates it.
 */
export class VendorDataCache {
  readonly #entries = new Map<string, { expires: number; value: Promise<unknown> }>();
  readonly #invalidations: Invalidations;
  readonly #max: number;

  constructor(invalidations: Invalidations, max = 10_000) {
    this.#invalidations = invalidations;
    this.#max = max;
    invalidations.on((change) => {
      if (change === 'everything') this.#entries.clear();
      else if (change.kind === 'vendor-data') this.#entries.delete(entryKey(change.instanceId, change.key));
      else if (change.kind === 'instance') this.#forgetInstance(change.id);
    });
  }

  get<T>(instanceId: number, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const k = entryKey(instanceId, key);
    const hit = this.#entries.get(k);
    if (hit && hit.expires > Date.now()) return hit.value as Promise<T>;
    if (this.#entries.size >= this.#max) this.#entries.clear();
    const value = load();
    this.#entries.set(k, { expires: Date.now() + ttlMs, value });
    // A failed load is not kept: the next call asks the vendor again.
    value.catch(() => {
      if (this.#entries.get(k)?.value === value) this.#entries.delete(k);
    });
    return value;
  }

  invalidate(instanceId: number, key: string): Promise<void> {
    return this.#invalidations.announce({ kind: 'vendor-data', instanceId, key });
  }

  #forgetInstance(instanceId: number): void {
    const prefix = `${instanceId}\0`;
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}

const entryKey = (instanceId: number, key: string) => `${instanceId}\0${key}`;

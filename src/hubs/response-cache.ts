import { LRUCache } from 'lru-cache';
import type { Invalidations } from '../platform/invalidations.ts';

/** A hub answer as it went out: the headers it carried besides the ones every answer gets, and its bytes. */
export interface CachedAnswer {
  headers: Readonly<Record<string, string>>;
  /** None for an answer without a body. */
  body: Buffer | undefined;
}

interface Entry extends CachedAnswer {
  /** The element resource the answer came from (`incidents`): a write to it drops the entry. */
  resource: string;
}

/** An instance's cache settings (`cachingEnabled`, `cacheTimeToLive` in seconds, `maxCacheSize` in entries). */
export interface CachingInstance {
  id: number;
  cachingEnabled: boolean;
  cacheTimeToLive: number;
  maxCacheSize: number;
}

/** What an instance gets when it turns caching on and leaves a setting at 0. */
export const DEFAULT_CACHE_TTL_SECONDS = 60;
export const DEFAULT_CACHE_ENTRIES = 1000;
/** An answer larger than this share of the memory cap is not kept: it would push out many others. */
const LARGEST_SHARE = 16;

const sizeOf = (e: Entry) => (e.body?.length ?? 0) + 64 * Object.keys(e.headers).length + 128;

interface InstanceCache {
  ttlMs: number;
  max: number;
  entries: LRUCache<string, Entry>;
}

/**
 * Hub GET answers of the instances that turned caching on, per instance: an LRU bounded by the
 * instance's `maxCacheSize` and TTL, and all of them together by one memory cap
 * (`SWITCHBOARD_RESPONSE_CACHE_MB`). A write through the hub, a vendor event or a change to the
 * instance drops the entries it may have made stale, on every process (`Invalidations`).
 *
 * The caller builds the key; it must hold everything that shapes the answer (see the hub router).
 */
export class HubResponseCache {
  readonly #instances = new Map<number, InstanceCache>();
  readonly #invalidations: Invalidations;
  readonly #maxBytes: number;
  #bytes = 0;
  /** Counts invalidations: an answer read before one must not be stored after it. */
  #epoch = 0;

  constructor(invalidations: Invalidations, maxBytes: number) {
    this.#invalidations = invalidations;
    this.#maxBytes = maxBytes;
    invalidations.on((change) => {
      if (change === 'everything' || change.kind === 'instance' || change.kind === 'hub-responses') this.#epoch++;
      if (change === 'everything') this.#clear();
      else if (change.kind === 'instance') this.#drop(change.id);
      else if (change.kind === 'hub-responses') this.#forget(change.instanceId, change.resource);
    });
  }

  /** The bytes the cached answers hold now. */
  get bytes(): number {
    return this.#bytes;
  }

  get(instance: CachingInstance, key: string): CachedAnswer | undefined {
    return this.#cacheOf(instance)?.entries.get(key);
  }

  /** Taken before the vendor is asked, and given to `set`: see there. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Keeps an answer read since `epoch`, unless something was invalidated meanwhile: a read that
   * started before a write and ended after it may hold what the write changed.
   */
  set(instance: CachingInstance, key: string, resource: string, answer: CachedAnswer, epoch: number): void {
    if (epoch !== this.#epoch) return;
    const cache = this.#cacheOf(instance);
    if (!cache) return;
    const entry: Entry = { ...answer, resource };
    const size = sizeOf(entry);
    if (size > this.#maxBytes / LARGEST_SHARE) return;
    if (this.#bytes + size > this.#maxBytes) {
      for (const c of this.#instances.values()) c.entries.purgeStale();
      // Still full: this instance gives up its least recently used answers first.
      while (this.#bytes + size > this.#maxBytes && cache.entries.size > 0) cache.entries.pop();
      if (this.#bytes + size > this.#maxBytes) return;
    }
    cache.entries.set(key, entry);
    this.#bytes += size;
  }

  /** Drops the instance's cached answers of `resource`, here and on every other process. */
  invalidate(instanceId: number, resource: string): Promise<void> {
    return this.#invalidations.announce({ kind: 'hub-responses', instanceId, resource });
  }

  /** The instance's LRU, made (again) when its settings differ from those it was made with. */
  #cacheOf(instance: CachingInstance): InstanceCache | undefined {
    if (!instance.cachingEnabled) return undefined;
    const ttlMs = (instance.cacheTimeToLive > 0 ? instance.cacheTimeToLive : DEFAULT_CACHE_TTL_SECONDS) * 1000;
    const max = instance.maxCacheSize > 0 ? instance.maxCacheSize : DEFAULT_CACHE_ENTRIES;
    let cache = this.#instances.get(instance.id);
    if (cache && cache.ttlMs === ttlMs && cache.max === max) return cache;
    if (cache) this.#drop(instance.id);
    cache = {
      ttlMs,
      max,
      entries: new LRUCache<string, Entry>({ max, ttl: ttlMs, dispose: (entry) => (this.#bytes -= sizeOf(entry)) }),
    };
    this.#instances.set(instance.id, cache);
    return cache;
  }

  #forget(instanceId: number, resource: string): void {
    const cache = this.#instances.get(instanceId);
    if (!cache) return;
    const stale = [...cache.entries.entries()].filter(([, entry]) => entry.resource === resource);
    for (const [key] of stale) cache.entries.delete(key);
  }

  #drop(instanceId: number): void {
    this.#instances.get(instanceId)?.entries.clear();
    this.#instances.delete(instanceId);
  }

  #clear(): void {
    for (const id of [...this.#instances.keys()]) this.#drop(id);
  }
}

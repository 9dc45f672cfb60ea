import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { HubResponseCache } from '../../src/hubs/response-cache.ts';
import { Invalidations } from '../../src/platform/invalidations.ts';
import { LocalSignals } from '../../src/platform/signals.ts';

const cacheOf = (maxBytes: number) => {
  const invalidations = new Invalidations(new LocalSignals(), pino({ enabled: false }));
  return { cache: new HubResponseCache(invalidations, maxBytes), invalidations };
};
const instance = (id: number, maxCacheSize = 0) => ({ id, cachingEnabled: true, cacheTimeToLive: 60, maxCacheSize });
const answer = (bytes: number) => ({ headers: { 'content-type': 'application/json' }, body: Buffer.alloc(bytes, 0x20) });

describe('HubResponseCache', () => {
  it('holds no more bytes than its cap across instances, and refuses an answer too large to share it', () => {
    const { cache } = cacheOf(160_000);
    for (let i = 0; i < 200; i++) cache.set(instance(i % 5), `k${i}`, 'incidents', answer(4_000), cache.epoch);
    expect(cache.bytes).toBeLessThanOrEqual(160_000);
    expect(cache.bytes).toBeGreaterThan(100_000);
    // The latest answers are kept; the oldest went.
    expect(cache.get(instance(199 % 5), 'k199')).toBeDefined();
    expect(cache.get(instance(0), 'k0')).toBeUndefined();
    cache.set(instance(9), 'big', 'incidents', answer(20_000), cache.epoch);
    expect(cache.get(instance(9), 'big')).toBeUndefined();
  });

  it('counts the bytes back when entries go: by invalidation, by a change to the instance, and when caching is off', async () => {
    const { cache, invalidations } = cacheOf(1_000_000);
    cache.set(instance(1), 'a', 'incidents', answer(1000), cache.epoch);
    cache.set(instance(1), 'b', 'priorities', answer(1000), cache.epoch);
    cache.set(instance(2), 'a', 'incidents', answer(1000), cache.epoch);
    const all = cache.bytes;
    await cache.invalidate(1, 'incidents');
    expect(cache.get(instance(1), 'a')).toBeUndefined();
    expect(cache.get(instance(1), 'b')).toBeDefined();
    expect(cache.get(instance(2), 'a')).toBeDefined();
    expect(cache.bytes).toBeLessThan(all);
    await invalidations.announce({ kind: 'instance', id: 1 });
    expect(cache.get(instance(1), 'b')).toBeUndefined();
    expect(cache.get({ ...instance(2), cachingEnabled: false }, 'a')).toBeUndefined();
    await invalidations.announce({ kind: 'instance', id: 2 });
    expect(cache.bytes).toBe(0);
  });

  it('does not keep an answer read before an invalidation and stored after it', async () => {
    const { cache } = cacheOf(1_000_000);
    // A read starts, a write to its resource is announced, then the read's answer arrives.
    const epoch = cache.epoch;
    await cache.invalidate(1, 'incidents');
    cache.set(instance(1), 'a', 'incidents', answer(10), epoch);
    expect(cache.get(instance(1), 'a')).toBeUndefined();
    cache.set(instance(1), 'a', 'incidents', answer(10), cache.epoch);
    expect(cache.get(instance(1), 'a')).toBeDefined();
  });

  it('starts afresh when the instance is read with other settings', () => {
    const { cache } = cacheOf(1_000_000);
    cache.set(instance(1, 10), 'a', 'incidents', answer(10), cache.epoch);
    expect(cache.get(instance(1, 10), 'a')).toBeDefined();
    expect(cache.get(instance(1, 20), 'a')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});

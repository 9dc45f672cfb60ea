import type { ElementContext } from '../elements/element-module.ts';
import type { VendorDataCache } from '../platform/vendor-data-cache.ts';
import type { HubContext, HubInstance } from './hub-contract.ts';

/** What an element gets to work for one instance: the outbound pool, a logger, the timeout, caches and the instance's data. */
export function hubContext(instance: HubInstance, element: ElementContext, vendorData: VendorDataCache): HubContext {
  const memos = new Map<string, unknown>();
  return {
    ...element,
    instance: { id: instance.id, configuration: instance.configuration, vendorMeta: instance.vendorMeta },
    vendorData: {
      get: (key, ttlMs, load) => vendorData.get(instance.id, key, ttlMs, load),
      invalidate: (key) => vendorData.invalidate(instance.id, key),
    },
    memo<T>(key: string, make: () => T): T {
      if (!memos.has(key)) memos.set(key, make());
      return memos.get(key) as T;
    },
  };
}

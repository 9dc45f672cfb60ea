import type { ElementContext } from '../elements/element-module.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { HubContext } from './hub-contract.ts';

/** What an element gets to work for one instance: the outbound pool, a logger, the timeout and the instance's data. */
export function hubContext(instance: Instance, element: ElementContext): HubContext {
  return {
    ...element,
    instance: { id: instance.id, configuration: instance.configuration, vendorMeta: instance.vendorMeta },
  };
}

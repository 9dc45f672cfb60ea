import type { HubImplementation } from '../hubs/hub-contract.ts';
import type { Operation, ResourceDefinition } from './element-definition.ts';

const has = (byName: Readonly<Record<string, unknown>> | undefined, name: string) => byName !== undefined && Object.hasOwn(byName, name);
const ORDER: readonly Operation[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The resources an element serves, derived from the operations it registers: a resource is the
 * first segment of an operation's path, and its operations are the methods registered on it
 * (`incidents`) and on one of its items (`incidents/:id`). Sub-resources (`incidents/:id/comments`)
 * belong to their resource. Bulk download and upload are offered for the resources the element
 * exports (`bulkExport`) and imports (`bulkImport`).
 */
export function deriveResources(hub: HubImplementation | undefined): ResourceDefinition[] {
  if (!hub) return [];
  const methods = new Map<string, Set<Operation>>();
  for (const op of hub.operations) {
    const [name, ...rest] = op.path.split('/');
    const set = methods.get(name!) ?? new Set<Operation>();
    methods.set(name!, set);
    if (rest.length === 0 || (rest.length === 1 && rest[0]!.startsWith(':'))) set.add(op.method);
  }
  return [...methods.entries()]
    .filter(([, set]) => set.size > 0)
    .map(([name, set]) => {
      const traits = Object.hasOwn(hub.resources, name) ? hub.resources[name]! : {};
      return {
        name,
        ...(traits.vendorName !== undefined && { vendorName: traits.vendorName }),
        operations: ORDER.filter((m) => set.has(m)),
        events: traits.events ?? false,
        bulk: { upload: has(hub.bulkImport, name), download: has(hub.bulkExport, name) },
        customFields: traits.customFields ?? false,
      };
    });
}

import type { ElementRegistry } from '../elements/registry.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { CompiledTransformation } from '../transformations/mapping.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import type { ObjectField } from './hub-contract.ts';

/**
 * A common resource (open-connectors-api.md §8): an object an organization defined and mapped
 * for an element, whose transformation's `vendorName` names one of the element's resources. The
 * hub serves it through that resource's operations, in the common shape.
 */
export interface CommonResource {
  name: string;
  /** The element's resource that serves it (`incidents`). */
  resource: string;
  transformation: CompiledTransformation;
}

export interface CommonResourceDeps {
  transformations: TransformationService;
  registry: ElementRegistry;
}

/** The common resource `name` as the instance sees it, or `undefined`. */
export async function findCommonResource(deps: CommonResourceDeps, instance: Instance, name: string): Promise<CommonResource | undefined> {
  const transformation = await deps.transformations.resolve(instance, name);
  if (!transformation) return undefined;
  const vendorName = transformation.body.vendorName;
  const resource = deps.registry.find(instance.elementKey)?.resources.find((r) => r.vendorName === vendorName || r.name === vendorName);
  return resource ? { name, resource: resource.name, transformation } : undefined;
}

/** Every common resource the instance sees, beside the element's own objects. */
export async function listCommonResources(deps: CommonResourceDeps, instance: Instance): Promise<CommonResource[]> {
  const own = new Set(deps.registry.module(instance.elementKey)?.hub?.objects.keys() ?? []);
  const found: CommonResource[] = [];
  for (const name of await deps.transformations.mappedObjectNames(instance)) {
    if (own.has(name)) continue;
    const common = await findCommonResource(deps, instance, name);
    if (common) found.push(common);
  }
  return found;
}

/** A transformation's fields as object metadata, in the common shape (`path ← vendorPath`). */
export function commonFields(transformation: CompiledTransformation): ObjectField[] {
  return transformation.fields.map((c) => ({
    vendorPath: c.field.path,
    vendorDisplayName: `${c.field.path} ← ${c.field.vendorPath ?? c.field.path}`,
    type: c.field.type,
    vendorNativeType: c.field.vendorType ?? c.field.type,
    vendorRequired: false,
    vendorReadOnly: !c.writable,
    filterable: false,
    hidden: false,
  }));
}

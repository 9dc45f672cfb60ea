import type { VendorEvent } from '../hubs/event-contract.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';

/**
 * Puts each event's object in the instance's own shape where a transformation defines one for
 * its object, whether the event came from a poll or a vendor webhook. Returns whether any object
 * was reshaped.
 */
export async function shapeEventObjects(transformations: TransformationService, instance: Instance, events: VendorEvent[]): Promise<boolean> {
  let shapedAny = false;
  for (const object of new Set(events.map((e) => e.objectType))) {
    const t = await transformations.resolve(instance, object);
    if (!t) continue;
    const mine = events.filter((e) => e.objectType === object && e.object !== undefined);
    const shaped = await transformations.read(
      object,
      t,
      mine.map((e) => e.object),
    );
    mine.forEach((e, i) => {
      e.object = shaped[i];
    });
    shapedAny ||= mine.length > 0;
  }
  return shapedAny;
}

/** A notification's `raw`: the objects of its events, by object name (`{"incidents": [...]}`). */
export const objectsByName =
  (objects: Iterable<string>) =>
  (batch: VendorEvent[]): Record<string, unknown[]> =>
    Object.fromEntries([...objects].map((o) => [o, batch.filter((e) => e.objectType === o).map((e) => e.object)]));

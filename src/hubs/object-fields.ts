import type { ObjectField } from './hub-contract.ts';

/** One field of `GET /objects/{name}/metadata`: neither required, read-only, filterable nor hidden unless `extra` says. */
export const objectField = (vendorPath: string, name: string, type: string, nativeType: string, extra: Partial<ObjectField> = {}): ObjectField => ({
  vendorPath,
  vendorDisplayName: name,
  type,
  vendorNativeType: nativeType,
  vendorRequired: false,
  vendorReadOnly: false,
  filterable: false,
  hidden: false,
  ...extra,
});

/**
 * The fields of one sample object a vendor gave, typed from their JSON values, for objects the
 * vendor does not describe otherwise; `readOnly` names the members the vendor sets itself.
 */
export function fieldsOfSample(sample: Record<string, unknown> | undefined, readOnly: ReadonlySet<string>): ObjectField[] {
  if (!sample) return [];
  return Object.entries(sample).map(([k, v]) =>
    objectField(k, k, v === null ? 'object' : typeof v === 'object' ? (Array.isArray(v) ? 'array' : 'object') : typeof v, typeof v, {
      vendorReadOnly: readOnly.has(k),
      filterable: true,
    }),
  );
}

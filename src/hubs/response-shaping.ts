import { setOwn } from '../platform/own-properties.ts';

/** Removes object properties whose value is null, at every depth; nulls inside arrays stay (D19). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    setOwn(out, k, stripNulls(v));
  }
  return out;
}

const dropNull = (_key: string, value: unknown) => (value === null ? undefined : value);

/**
 * `JSON.stringify(stripNulls(value))` without copying the value: a property whose value is null
 * is left out as it is written (in an array, a null is written as null either way).
 */
export function stringifyWithoutNulls(value: unknown): string {
  return JSON.stringify(value, dropNull) ?? 'null';
}

/**
 * Shapes one object for the response: nulls stripped (unless turned off), after any
 * transformation; `raw` (on request) is the untouched vendor object it came from.
 */
export function shape(object: unknown, options: { stripNulls: boolean; raw: boolean }, vendor: unknown = object): unknown {
  const body = options.stripNulls ? stripNulls(object) : object;
  if (!options.raw || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), raw: vendor };
}

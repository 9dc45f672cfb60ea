/** Removes object properties whose value is null, at every depth; nulls inside arrays stay (D19). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = stripNulls(v);
  }
  return out;
}

/** Shapes one vendor object for the response: nulls stripped (unless turned off), `raw` added on request. */
export function shape(vendor: unknown, options: { stripNulls: boolean; raw: boolean }): unknown {
  const body = options.stripNulls ? stripNulls(vendor) : vendor;
  if (!options.raw || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), raw: vendor };
}

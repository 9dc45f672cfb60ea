import { ownValue } from '../platform/own-properties.ts';

/**
 * A record's cells by dotted path (`fields.status.name`): objects are walked, arrays and
 * scalars are cells (arrays JSON-encoded), as the bulk CSV format has it (open-connectors-api.md §7).
 */
export function flatten(record: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
    for (const key of Object.keys(record)) flatten(ownValue(record as Record<string, unknown>, key), prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  if (prefix === '') return out;
  out.set(prefix, record === null || record === undefined ? '' : typeof record === 'object' ? JSON.stringify(record) : String(record));
  return out;
}

/** One CSV field, quoted when it must be (RFC 4180). */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(',')}\r\n`;

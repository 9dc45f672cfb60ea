import { createHash } from 'node:crypto';
import { isTrue } from '../platform/boolean-text.ts';
import { badRequest } from '../platform/errors.ts';
import { ownValue, setOwn } from '../platform/own-properties.ts';
import type { ConfigEntry, TransformationBody as TransformationInput } from './schemas.ts';

/** One field of a transformation (open-connectors-api.md §8.2): common `path` ← vendor `vendorPath`. */
export interface FieldMapping {
  path: string;
  type: string;
  vendorPath?: string;
  vendorType?: string;
  mask?: string;
  configuration?: ConfigEntry[];
  level?: string;
}

export interface TransformationBody {
  vendorName: string;
  fields: FieldMapping[];
  configuration: ConfigEntry[];
  script?: { body: string; mimeType?: string } | undefined;
  isLegacy: boolean;
}

// An index has at most three digits: writing `items[100000000]` would make an array that long.
const PATH = /^[A-Za-z0-9_$@-]+(\[(\d{1,3}|\*)\])?(\.[A-Za-z0-9_$@-]+(\[(\d{1,3}|\*)\])?)*$/;
const PATH_FORM = 'a dotted path of names, each with an optional [index] of at most 999 or [*]';

type Segment = { key: string; index?: number | '*' };

/** Whether `text` is a path that names one place (no `[*]`): what a record's field may be written at. */
export const isPlacePath = (text: string) => text.length <= 500 && PATH.test(text) && !text.includes('*');

export function parsePath(path: string): Segment[] {
  return path.split('.').map((part) => {
    const m = /^([^[]+)(?:\[(\d+|\*)\])?$/.exec(part)!;
    return m[2] === undefined ? { key: m[1]! } : { key: m[1]!, index: m[2] === '*' ? ('*' as const) : Number(m[2]) };
  });
}

interface CompiledField {
  field: FieldMapping;
  path: Segment[];
  vendorPath: Segment[];
  /** A date mask's tokens. */
  mask: string[] | undefined;
  readable: boolean;
  writable: boolean;
}

/**
 * A transformation ready to apply: paths parsed and masks split once, because mapping a page of
 * 200 objects × 30 fields must not parse 6,000 paths. Made when a transformation is resolved and
 * cached with it.
 */
export interface CompiledTransformation {
  body: TransformationBody;
  fields: CompiledField[];
  readPassThrough: boolean;
  writePassThrough: boolean;
  /** Top-level common names the mapping covers (writes pass the others through unless told not to). */
  mappedRoots: Set<string>;
  /** A digest of the body: equal for equal mappings, so cached answers made under it can be told apart. */
  version: string;
}

export function compileTransformation(body: TransformationBody): CompiledTransformation {
  return {
    body,
    version: createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22),
    fields: body.fields.map((f) => ({
      field: f,
      path: parsePath(f.path),
      vendorPath: parsePath(f.vendorPath ?? f.path),
      mask: f.mask !== undefined && f.mask !== 'milliseconds' && f.mask !== 'seconds' ? maskTokensOf(f.mask) : undefined,
      readable: !flag(f.configuration, 'remove', 'fromVendor'),
      writable: !flag(f.configuration, 'remove', 'toVendor'),
    })),
    readPassThrough: flag(body.configuration, 'passThrough', 'fromVendor'),
    // Writes send what the mapping does not cover unchanged, unless told not to: clients create
    // and update with the vendor's own body beside a mapping that covers only a few fields.
    writePassThrough: !(body.configuration ?? []).some((c) => c.type === 'passThrough' && c.properties?.toVendor === false),
    mappedRoots: new Set(body.fields.map((f) => f.path.split('.')[0]!)),
  };
}

/** Reads a dotted path with `[n]` and `[*]` (every element) steps. */
export function getPath(obj: unknown, segments: Segment[]): unknown {
  let current: unknown = obj;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (current === null || typeof current !== 'object') return undefined;
    current = ownValue(current, s.key);
    if (s.index === '*') {
      if (!Array.isArray(current)) return undefined;
      const rest = segments.slice(i + 1);
      return current.map((item) => (rest.length ? getPath(item, rest) : item));
    }
    if (s.index !== undefined) current = Array.isArray(current) ? current[s.index] : undefined;
  }
  return current;
}

/** Writes a dotted path, creating objects and arrays on the way. */
export function setPath(obj: Record<string, unknown>, segments: Segment[], value: unknown): void {
  let current: Record<string, unknown> | unknown[] = obj;
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    const container = current as Record<string, unknown>;
    const existing = ownValue(container, s.key);
    if (s.index === undefined) {
      if (last) setOwn(container, s.key, value);
      else if (existing !== null && typeof existing === 'object') current = existing as Record<string, unknown>;
      else {
        current = {};
        setOwn(container, s.key, current);
      }
      return;
    }
    const arr = Array.isArray(existing) ? existing : [];
    if (arr !== existing) setOwn(container, s.key, arr);
    const idx = s.index as number;
    if (last) arr[idx] = value;
    else {
      if (arr[idx] === null || typeof arr[idx] !== 'object') arr[idx] = {};
      current = arr[idx] as Record<string, unknown>;
    }
  });
}

/** Whether a configuration entry applies in a direction; without `properties` it applies both ways. */
const flag = (config: ConfigEntry[] | undefined, type: string, direction: 'fromVendor' | 'toVendor'): boolean =>
  (config ?? []).some((c) => c.type === type && (c.properties === undefined || c.properties[direction] === true));

/**
 * Checks a transformation (its shape checked by the route's schema) against the common resource's
 * fields (path → type, from the object definition); every problem is a 400 naming it. A field
 * without `type` takes the definition's, as most transformation documents leave it out; the
 * stored body carries the resolved type.
 */
export function validateTransformation(input: TransformationInput, definition: ReadonlyMap<string, string>, objectName: string): TransformationBody {
  const fields = input.fields.map((given, i): FieldMapping => {
    if (!PATH.test(given.path) || given.path.includes('*')) throw badRequest(`fields[${i}].path "${given.path}" is not ${PATH_FORM} (* only in vendorPath)`);
    const defined = definition.get(given.path);
    if (defined === undefined) throw badRequest(`fields[${i}].path "${given.path}" is not a field of the object definition ${objectName}`);
    const m = { ...given, type: given.type ?? defined };
    if (m.type === 'date' && (m.mask === undefined || m.mask === ''))
      throw badRequest(`fields[${i}] (${m.path}): a date needs a mask, e.g. "yyyy-MM-dd'T'HH:mm:ss.SSSZ" or "milliseconds"`);
    if (m.mask !== undefined) checkMask(m.mask, `${m.path}`);
    const vendorPath = m.vendorPath ?? m.path;
    if (!PATH.test(vendorPath)) throw badRequest(`fields[${i}] (${m.path}): vendorPath "${vendorPath}" is not ${PATH_FORM}`);
    if (vendorPath.includes('*') && !flag(m.configuration, 'remove', 'toVendor')) {
      throw badRequest(
        `fields[${i}] (${m.path}): vendorPath "${vendorPath}" reads every array element and cannot be written back; add {"type": "remove", "properties": {"toVendor": true}}`,
      );
    }
    return { ...m, vendorPath };
  });
  return {
    vendorName: input.vendorName,
    fields,
    configuration: input.configuration ?? [],
    script: input.script && { body: input.script.body },
    isLegacy: input.isLegacy === true,
  };
}

const MASK_TOKENS = /yyyy|MM|dd|HH|mm|ss|SSS|Z|'[^']*'|./g;
const maskTokensOf = (mask: string): string[] => mask.match(MASK_TOKENS) ?? [];

function checkMask(mask: string, where: string): void {
  if (mask === 'milliseconds' || mask === 'seconds') return;
  for (const t of mask.match(MASK_TOKENS) ?? []) {
    if (t.length === 1 && /[A-Za-z]/.test(t))
      throw badRequest(`${where}: mask "${mask}" has the unknown pattern letter "${t}"; use yyyy MM dd HH mm ss SSS Z, or milliseconds`);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats an instant with a Java-style mask (given as its tokens, or milliseconds/seconds), in UTC (`Z` prints `+0000`). */
export function formatDate(value: unknown, mask: string, tokens: string[] = maskTokensOf(mask)): unknown {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : NaN;
  if (Number.isNaN(ms)) return value;
  if (mask === 'milliseconds') return ms;
  if (mask === 'seconds') return Math.floor(ms / 1000);
  const d = new Date(ms);
  return tokens
    .map((t) => {
      switch (t) {
        case 'yyyy':
          return String(d.getUTCFullYear());
        case 'MM':
          return pad(d.getUTCMonth() + 1);
        case 'dd':
          return pad(d.getUTCDate());
        case 'HH':
          return pad(d.getUTCHours());
        case 'mm':
          return pad(d.getUTCMinutes());
        case 'ss':
          return pad(d.getUTCSeconds());
        case 'SSS':
          return pad(d.getUTCMilliseconds(), 3);
        case 'Z':
          return '+0000';
        default:
          return t.startsWith("'") ? t.slice(1, -1) : t;
      }
    })
    .join('');
}

function convert(value: unknown, c: CompiledField): unknown {
  if (value === undefined || value === null) return value;
  switch (c.field.type) {
    case 'string':
      return typeof value === 'object' ? value : String(value);
    case 'number': {
      const n = Number(value);
      return Number.isNaN(n) ? value : n;
    }
    case 'boolean':
      return isTrue(value);
    case 'date':
      return formatDate(value, c.field.mask!, c.mask);
    default:
      return value;
  }
}

/** Vendor object → common shape (reads). */
export function applyRead(vendor: unknown, t: CompiledTransformation): Record<string, unknown> {
  const source = (vendor ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = t.readPassThrough ? structuredClone(source) : {};
  for (const c of t.fields) {
    if (!c.readable) continue;
    const value = getPath(source, c.vendorPath);
    if (value === undefined) continue;
    setPath(out, c.path, convert(value, c));
  }
  return out;
}

/** Common shape → vendor object (writes): each mapped field goes back to its vendor path. */
export function applyWrite(common: unknown, t: CompiledTransformation): Record<string, unknown> {
  const source = (common ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (t.writePassThrough) {
    for (const [k, v] of Object.entries(source)) if (!t.mappedRoots.has(k)) setOwn(out, k, v);
  }
  for (const c of t.fields) {
    if (!c.writable) continue;
    const value = getPath(source, c.path);
    if (value === undefined) continue;
    const { type, mask } = c.field;
    setPath(
      out,
      c.vendorPath,
      type === 'date' && (mask === 'milliseconds' || mask === 'seconds') && typeof value === 'number'
        ? new Date(mask === 'seconds' ? value * 1000 : value).toISOString()
        : value,
    );
  }
  return out;
}

/** `inherit`: the fields of the upper levels, overridden path by path by this level's. */
export function mergeInherited(own: TransformationBody, upper: TransformationBody | undefined): TransformationBody {
  if (!upper || !own.configuration.some((c) => c.type === 'inherit')) return own;
  const byPath = new Map(upper.fields.map((f) => [f.path, f]));
  for (const f of own.fields) byPath.set(f.path, f);
  return { ...own, fields: [...byPath.values()] };
}

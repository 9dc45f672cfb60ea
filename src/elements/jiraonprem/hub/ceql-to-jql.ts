import { badRequest } from '../../../platform/errors.ts';
import { ownValue } from '../../../platform/own-properties.ts';
import type { Expr, FieldRef, OrderKey, Value } from '../../../ceql/ast.ts';

/** An extra in-memory check for what JQL cannot say exactly (sub-minute dates, exact text). */
export type IssueFilter = (issue: JiraIssueLike) => boolean;
export interface JiraIssueLike {
  id?: string;
  key?: string;
  fields?: Record<string, unknown>;
}

export interface Translation {
  jql: string;
  /** Checks applied to Jira's results; only for clauses that every match must satisfy. */
  filters: IssueFilter[];
}

const DATE_FIELDS: ReadonlySet<string> = new Set(['created', 'updated', 'resolutiondate', 'resolved', 'lastviewed']);
const DAY_FIELDS: ReadonlySet<string> = new Set(['duedate', 'due']);
const TEXT_FIELDS: ReadonlySet<string> = new Set(['summary', 'description', 'environment', 'comment', 'text']);
const SUBFIELDS: ReadonlySet<string> = new Set(['name', 'id', 'key', 'value', 'displayName', 'emailAddress']);

/** A JQL string literal: a CEQL value can never leave its quotes (quotes, backslashes and control characters are escaped). */
export function jqlString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this escapes
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** A CEQL field path as a JQL field: `fields.status.name` → `status`, `customfield_10100` → `cf[10100]`. */
export function jqlField(field: FieldRef): { jql: string; name: string; path: string[] } {
  let path = [...field.path];
  if (path.length > 1 && path[0] === 'fields') path = path.slice(1);
  if (path.length === 2 && SUBFIELDS.has(path[1]!)) path = [path[0]!];
  if (path.length !== 1) throw badRequest(`Incidents cannot be filtered by ${field.name}`);
  const name = path[0]!;
  const custom = /^customfield_(\d+)$/.exec(name);
  if (custom) return { jql: `cf[${custom[1]}]`, name, path: ['fields', name] };
  const jql = /^[A-Za-z][A-Za-z0-9_]*$/.test(name) ? name : jqlString(name);
  return { jql, name, path: name === 'id' || name === 'key' ? [name] : ['fields', name] };
}

/** Jira's `2024-05-01T10:00:30.000+0900` (or any ISO string) as epoch ms. */
export function jiraDateMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Wall-clock `yyyy-MM-dd HH:mm` of instants in a zone: how Jira reads date literals (minute
 * precision, searcher's zone). Made once for many instants: a formatter is costly to make.
 */
export function jqlDateTimeIn(zone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (ms) => {
    const parts = Object.fromEntries(
      format
        .formatToParts(new Date(ms))
        .filter((p) => p.type !== 'literal')
        .map((p) => [p.type, Number(p.value)]),
    );
    return `${parts.year}-${pad(parts.month!)}-${pad(parts.day!)} ${pad(parts.hour!)}:${pad(parts.minute!)}`;
  };
}

/** `jqlDateTimeIn` for one instant. */
export const jqlDateTime = (ms: number, zone: string): string => jqlDateTimeIn(zone)(ms);

function literal(v: Value): string {
  switch (v.kind) {
    case 'string':
      return jqlString(v.value);
    case 'number':
      return v.raw;
    case 'boolean':
      return jqlString(String(v.value));
  }
}

const readField = (issue: JiraIssueLike, path: string[]): unknown => {
  let cur: unknown = issue;
  for (const p of path) cur = cur && typeof cur === 'object' ? ownValue(cur, p) : undefined;
  return cur;
};

/**
 * CEQL → JQL for incidents (open-connectors-api.md §4.2): operators map one to one, LIKE to `~`
 * with `*`, IS NULL to `is EMPTY`, custom fields to `cf[N]`. Dates compared with ISO timestamps
 * are written in the Jira user's zone at minute precision, widened to whole minutes; where the
 * clause must hold for every match (under AND only), the exact comparison is re-applied in memory.
 */
export function translateWhere(expr: Expr, zone: string): Translation {
  const filters: IssueFilter[] = [];
  const jql = walk(expr, true);
  return { jql, filters };

  function walk(e: Expr, required: boolean): string {
    switch (e.kind) {
      case 'and':
        return `(${walk(e.left, required)} AND ${walk(e.right, required)})`;
      case 'or':
        return `(${walk(e.left, false)} OR ${walk(e.right, false)})`;
      case 'not':
        return `NOT (${walk(e.expr, false)})`;
      case 'null':
        return `${jqlField(e.field).jql} is ${e.negated ? 'not ' : ''}EMPTY`;
      case 'in': {
        const f = jqlField(e.field);
        if (f.name === 'id') for (const v of e.values) idValue(v);
        return `${f.jql} ${e.negated ? 'not in' : 'in'} (${e.values.map((v) => (f.name === 'id' ? idValue(v) : literal(v))).join(', ')})`;
      }
      case 'like': {
        const f = jqlField(e.field);
        if (e.pattern.startsWith('%')) throw badRequest(`LIKE '${e.pattern.slice(0, 50)}' on ${e.field.name}: Jira cannot search with a leading wildcard`);
        const inner = e.pattern.slice(0, e.pattern.endsWith('%') ? -1 : undefined);
        if (inner.includes('%')) throw badRequest(`LIKE '${e.pattern.slice(0, 50)}' on ${e.field.name}: Jira supports % only at the end`);
        if (inner.trim() === '') throw badRequest(`LIKE on ${e.field.name} needs some text before %`);
        return `${f.jql} ${e.negated ? '!~' : '~'} ${jqlString(e.pattern.endsWith('%') ? `${inner}*` : inner)}`;
      }
      case 'compare':
        return compare(e.field, e.op, e.value, required);
    }
  }

  function idValue(v: Value): string {
    const text = v.kind === 'number' ? v.raw : v.kind === 'string' ? v.value : '';
    if (!/^\d{1,18}$/.test(text)) throw badRequest(`id must be a number, got ${JSON.stringify(text).slice(0, 60)}`);
    return text;
  }

  function compare(field: FieldRef, op: string, value: Value, required: boolean): string {
    const f = jqlField(field);
    const jqlOp = op;
    const lower = f.name.toLowerCase();
    if (f.name === 'id') return `id ${jqlOp} ${idValue(value)}`;
    if (DATE_FIELDS.has(lower) && value.kind === 'string' && /T|\d{2}:\d{2}/.test(value.value)) {
      const ms = Date.parse(value.value);
      if (Number.isNaN(ms)) throw badRequest(`${field.name}: "${value.value.slice(0, 60)}" is not an ISO-8601 date`);
      const floor = Math.floor(ms / 60_000) * 60_000;
      const onMinute = floor === ms;
      // Widen to whole minutes so Jira never drops a match; the exact bound is checked in memory.
      const bound = (op === '<' || op === '<=') && !onMinute ? floor + 60_000 : floor;
      const jqlOpFor = op === '<=' && !onMinute ? '<' : op === '>' && !onMinute ? '>=' : jqlOp;
      if (required && (!onMinute || op === '=' || op === '!=')) {
        filters.push((issue) => {
          const v = jiraDateMs(readField(issue, f.path));
          if (v === undefined) return false;
          switch (op) {
            case '=':
              return v === ms;
            case '!=':
              return v !== ms;
            case '<':
              return v < ms;
            case '<=':
              return v <= ms;
            case '>':
              return v > ms;
            default:
              return v >= ms;
          }
        });
      }
      if (op === '=' || op === '!=') {
        const range = `${f.jql} >= ${jqlString(jqlDateTime(floor, zone))} AND ${f.jql} < ${jqlString(jqlDateTime(floor + 60_000, zone))}`;
        return op === '=' ? `(${range})` : `NOT (${range})`;
      }
      return `${f.jql} ${jqlOpFor} ${jqlString(jqlDateTime(bound, zone))}`;
    }
    if (DAY_FIELDS.has(lower) && value.kind === 'string' && value.value.includes('T')) {
      const ms = Date.parse(value.value);
      if (Number.isNaN(ms)) throw badRequest(`${field.name}: "${value.value.slice(0, 60)}" is not an ISO-8601 date`);
      return `${f.jql} ${jqlOp} ${jqlString(jqlDateTime(ms, zone).slice(0, 10))}`;
    }
    if (TEXT_FIELDS.has(lower) && (op === '=' || op === '!=')) {
      // JQL has no equality on text fields: search the phrase and, where it must hold, compare exactly.
      const text = value.kind === 'string' ? value.value : String(value.kind === 'number' ? value.raw : value.value);
      if (required) filters.push((issue) => (readField(issue, f.path) === text) === (op === '='));
      return `${f.jql} ${op === '=' ? '~' : '!~'} ${jqlString(`"${text}"`)}`;
    }
    return `${f.jql} ${jqlOp} ${literal(value)}`;
  }
}

/**
 * `orderBy` → `ORDER BY`, always ending with a `key` tie-breaker so pages are stable. Without
 * `orderBy`, `created ASC, key ASC`: new issues sort last, so paging while issues are being
 * created never repeats or skips one (ADR 0004).
 */
export function translateOrderBy(keys: OrderKey[] | undefined): string {
  const parts = (keys ?? []).map((k) => `${jqlField(k.field).jql} ${k.direction.toUpperCase()}`);
  if (!parts.length) parts.push('created ASC');
  if (!parts.some((p) => /^(key|issuekey) /i.test(p))) parts.push('key ASC');
  return ` ORDER BY ${parts.join(', ')}`;
}

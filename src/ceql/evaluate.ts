import type { Expr, FieldRef, OrderKey, Value } from './ast.ts';

/** Reads a field of one record; `undefined` and `null` both count as NULL. */
export type FieldReader<T> = (record: T, field: FieldRef) => unknown;

/** Reads a dotted path from plain objects. */
export function readPath(record: unknown, field: FieldRef): unknown {
  let current: unknown = record;
  for (const segment of field.path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Evaluates a CEQL expression against one record, for resources the vendor cannot filter. */
export function matches<T>(expr: Expr, record: T, read: FieldReader<T>): boolean {
  switch (expr.kind) {
    case 'and': return matches(expr.left, record, read) && matches(expr.right, record, read);
    case 'or': return matches(expr.left, record, read) || matches(expr.right, record, read);
    case 'not': return !matches(expr.expr, record, read);
    case 'null': {
      const v = read(record, expr.field);
      return (v === null || v === undefined) !== expr.negated;
    }
    case 'in': {
      const v = read(record, expr.field);
      return expr.values.some((value) => compare(v, value) === 0) !== expr.negated;
    }
    case 'like': {
      const v = read(record, expr.field);
      if (v === null || v === undefined) return false;
      return likeToRegExp(expr.pattern).test(String(v)) !== expr.negated;
    }
    case 'compare': {
      const c = compare(read(record, expr.field), expr.value);
      if (c === undefined) return expr.op === '!=';
      switch (expr.op) {
        case '=': return c === 0;
        case '!=': return c !== 0;
        case '<': return c < 0;
        case '>': return c > 0;
        case '<=': return c <= 0;
        case '>=': return c >= 0;
      }
    }
  }
}

/** SQL LIKE: `%` any run, `_` one character; case-insensitive, as the Open Connectors hubs match. */
export function likeToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'is');
}

/** Compares a record value with a literal: numbers numerically, booleans as booleans, else as strings. */
function compare(actual: unknown, literal: Value): number | undefined {
  if (actual === null || actual === undefined) return undefined;
  if (literal.kind === 'number') {
    const n = typeof actual === 'number' ? actual : Number(actual);
    if (Number.isNaN(n)) return undefined;
    return n === literal.value ? 0 : n < literal.value ? -1 : 1;
  }
  if (literal.kind === 'boolean') {
    const b = typeof actual === 'boolean' ? actual : String(actual).toLowerCase() === 'true';
    return b === literal.value ? 0 : b ? 1 : -1;
  }
  const a = typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  return a === literal.value ? 0 : a < literal.value ? -1 : 1;
}

/** A comparator for in-memory `orderBy`; nulls sort first ascending, as SQL engines mostly do. */
export function comparator<T>(keys: OrderKey[], read: FieldReader<T>): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const x = read(a, key.field);
      const y = read(b, key.field);
      let c = 0;
      if (x === y) c = 0;
      else if (x === null || x === undefined) c = -1;
      else if (y === null || y === undefined) c = 1;
      else if (typeof x === 'number' && typeof y === 'number') c = x - y;
      else c = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (c !== 0) return key.direction === 'asc' ? c : -c;
    }
    return 0;
  };
}

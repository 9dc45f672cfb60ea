import { ownValue } from '../platform/own-properties.ts';
import type { Expr, FieldRef, OrderKey, Value } from './ast.ts';

/** Reads a field of one record; `undefined` and `null` both count as NULL. */
export type FieldReader<T> = (record: T, field: FieldRef) => unknown;

/** Reads a dotted path from plain objects. */
export function readPath(record: unknown, field: FieldRef): unknown {
  let current: unknown = record;
  for (const segment of field.path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = ownValue(current, segment);
  }
  return current;
}

/** Evaluates a CEQL expression against one record, for resources the vendor cannot filter. */
export function matches<T>(expr: Expr, record: T, read: FieldReader<T>): boolean {
  switch (expr.kind) {
    case 'and':
      return matches(expr.left, record, read) && matches(expr.right, record, read);
    case 'or':
      return matches(expr.left, record, read) || matches(expr.right, record, read);
    case 'not':
      return !matches(expr.expr, record, read);
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
      return likeMatches(String(v), expr.pattern) !== expr.negated;
    }
    case 'compare': {
      const c = compare(read(record, expr.field), expr.value);
      if (c === undefined) return expr.op === '!=';
      switch (expr.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '>=':
          return c >= 0;
      }
    }
  }
}

/**
 * SQL LIKE: `%` any run, `_` one character; case-insensitive, as the Open Connectors hubs match.
 * Not a regular expression: a backtracking engine takes exponential time on `%a%a%a…b` against a
 * long run of `a`, and every request waits while it does. The pattern is split at `%`; its first
 * piece must start the text, its last end it, and each piece between is taken at its leftmost
 * place after the previous one, which is right for LIKE and costs at most text × pattern steps.
 */
export function likeMatches(value: string, pattern: string): boolean {
  const text = [...value.toLowerCase()];
  const pieces = pattern
    .toLowerCase()
    .split('%')
    .map((p) => [...p]);
  const at = (piece: string[], from: number) => piece.every((ch, i) => ch === '_' || ch === text[from + i]);
  const first = pieces[0]!;
  if (pieces.length === 1) return text.length === first.length && at(first, 0);
  const last = pieces[pieces.length - 1]!;
  const end = text.length - last.length;
  if (end < first.length || !at(first, 0) || !at(last, end)) return false;
  let pos = first.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece.length === 0) continue;
    let found = -1;
    for (let i = pos; i + piece.length <= end; i++)
      if (at(piece, i)) {
        found = i;
        break;
      }
    if (found < 0) return false;
    pos = found + piece.length;
  }
  return true;
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

import type { Expr, FieldRef, Value } from './ast.ts';

/** Prints an expression back to canonical CEQL, fully parenthesised; parse(print(e)) equals e. */
export function printWhere(expr: Expr): string {
  switch (expr.kind) {
    case 'and':
      return `(${printWhere(expr.left)} AND ${printWhere(expr.right)})`;
    case 'or':
      return `(${printWhere(expr.left)} OR ${printWhere(expr.right)})`;
    case 'not':
      return `NOT ${printWhere(expr.expr)}`;
    case 'compare':
      return `${printField(expr.field)} ${expr.op} ${printValue(expr.value)}`;
    case 'in':
      return `${printField(expr.field)}${expr.negated ? ' NOT' : ''} IN (${expr.values.map(printValue).join(', ')})`;
    case 'null':
      return `${printField(expr.field)} IS${expr.negated ? ' NOT' : ''} NULL`;
    case 'like':
      return `${printField(expr.field)}${expr.negated ? ' NOT' : ''} LIKE ${printValue({ kind: 'string', value: expr.pattern })}`;
  }
}

export function printField(field: FieldRef): string {
  return field.path.length === 1 && !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(field.path[0]!) ? `\`${field.path[0]}\`` : field.path.join('.');
}

export function printValue(value: Value): string {
  switch (value.kind) {
    case 'string':
      return `'${value.value.replace(/'/g, "''")}'`;
    case 'number':
      return value.raw;
    case 'boolean':
      return value.value ? 'true' : 'false';
  }
}

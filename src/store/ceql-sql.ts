import { sql, type RawBuilder } from 'kysely';
import type { Expr, FieldRef, Value } from '../ceql/ast.ts';
import { badRequest } from '../platform/errors.ts';

/**
 * How a CEQL field of a platform list maps onto SQL. `set` is a one-to-many side table (an
 * instance's tags): a condition holds when it holds for any of the values.
 */
export type SqlField =
  | { kind: 'text' | 'integer' | 'boolean'; column: string }
  | { kind: 'set'; table: string; valueColumn: string; ownerColumn: string; ownerKey: string };

type Sql = RawBuilder<unknown>;

/**
 * CEQL `where` of a platform list (instances, accounts, users) as a SQL condition, so the list is
 * filtered and paged by the database. The semantics are those of the in-memory evaluator
 * (`ceql/evaluate.ts`): LIKE is case-insensitive with `%` and `_`, booleans compare as booleans,
 * numbers numerically. Values are always parameters; field names come from `fields` only, and
 * any other field is a 400 that lists the allowed ones.
 */
export function ceqlToSql(expr: Expr, fields: Readonly<Record<string, SqlField>>): Sql {
  const fieldOf = (ref: FieldRef): SqlField => {
    const f = Object.hasOwn(fields, ref.name) ? fields[ref.name] : undefined;
    if (!f) throw badRequest(`The list cannot be filtered by ${ref.name.slice(0, 100)}; use ${Object.keys(fields).join(', ')}`);
    return f;
  };
  const on = (ref: FieldRef, condition: (column: Sql, field: SqlField) => Sql): Sql => {
    const f = fieldOf(ref);
    if (f.kind !== 'set') return condition(sql.ref(f.column), f);
    const value = sql.ref(`s.${f.valueColumn}`);
    return sql`exists (select 1 from ${sql.table(f.table)} as s where ${sql.ref(`s.${f.ownerColumn}`)} = ${sql.ref(f.ownerKey)} and ${condition(value, { kind: 'text', column: f.valueColumn })})`;
  };
  const walk = (e: Expr): Sql => {
    switch (e.kind) {
      case 'and':
        return sql`(${walk(e.left)} and ${walk(e.right)})`;
      case 'or':
        return sql`(${walk(e.left)} or ${walk(e.right)})`;
      case 'not':
        return sql`not ${walk(e.expr)}`;
      case 'null': {
        const f = fieldOf(e.field);
        // A set is "null" when it is empty.
        if (f.kind === 'set') {
          const any = on(e.field, () => sql`1 = 1`);
          return e.negated ? any : sql`not ${any}`;
        }
        return e.negated ? sql`${sql.ref(f.column)} is not null` : sql`${sql.ref(f.column)} is null`;
      }
      case 'in': {
        const positive = on(e.field, (column, f) => sql`${column} in (${sql.join(e.values.map((v) => literal(v, f, e.field)))})`);
        return e.negated ? sql`not ${positive}` : positive;
      }
      case 'like': {
        const pattern = e.pattern.replace(/\\/g, '\\\\');
        const positive = on(e.field, (column) => sql`lower(${column}) like lower(${pattern}) escape '\\'`);
        return e.negated ? sql`not ${positive}` : positive;
      }
      case 'compare': {
        // `!=` on a set means "has no such value", as `=` means "has one".
        if (e.op === '!=') return sql`not ${on(e.field, (column, f) => sql`${column} = ${literal(e.value, f, e.field)}`)}`;
        return on(e.field, (column, f) => sql`${column} ${sql.raw(e.op)} ${literal(e.value, f, e.field)}`);
      }
    }
  };
  return walk(expr);
}

function literal(value: Value, field: SqlField, ref: FieldRef): Sql {
  switch (field.kind) {
    case 'boolean': {
      const b = value.kind === 'boolean' ? value.value : String(value.value).toLowerCase() === 'true';
      return sql`${b ? 1 : 0}`;
    }
    case 'integer': {
      const n = value.kind === 'number' ? value.value : Number(value.value);
      if (!Number.isSafeInteger(n)) throw badRequest(`${ref.name} is compared with a whole number, not ${JSON.stringify(String(value.value)).slice(0, 60)}`);
      return sql`${n}`;
    }
    default:
      return sql`${value.kind === 'number' ? value.raw : String(value.value)}`;
  }
}

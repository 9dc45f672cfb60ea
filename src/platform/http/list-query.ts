import { parseWhere, matches, readPath, type Expr } from '../../ceql/index.ts';

/** Applies an optional CEQL `where` to a list held in memory (small platform lists). */
export function filterByWhere<T>(items: T[], where: unknown): T[] {
  if (where === undefined || where === '') return items;
  const expr: Expr = parseWhere(String(where));
  return items.filter((item) => matches(expr, item, readPath));
}

import { parseWhere, type Expr } from '../../ceql/index.ts';

/**
 * The query of a platform list read in the database (accounts, users): CEQL `where`, and
 * `page`/`pageSize` (default 200, at most 1000) or `offset`; the route's schema has checked the
 * numbers' form.
 */
export function listQuery(q: { where?: string | undefined; page?: string | undefined; pageSize?: string | undefined; offset?: string | undefined }): {
  where: Expr | undefined;
  offset: number;
  limit: number;
} {
  const limit = Math.min(Math.max(1, Number(q.pageSize ?? 200)), 1000);
  const page = Math.max(1, Number(q.page ?? 1));
  const offset = q.offset !== undefined ? Number(q.offset) : (page - 1) * limit;
  return { where: q.where ? parseWhere(q.where) : undefined, offset, limit };
}

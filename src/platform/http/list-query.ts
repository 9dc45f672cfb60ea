import type { FastifyRequest } from 'fastify';
import { parseWhere, type Expr } from '../../ceql/index.ts';
import { parseCount } from './params.ts';

/**
 * The query of a platform list read in the database (accounts, users): CEQL `where`, and
 * `page`/`pageSize` (default 200, at most 1000) or `offset`.
 */
export function listQuery(request: FastifyRequest): { where: Expr | undefined; offset: number; limit: number } {
  const q = request.query as Record<string, string | undefined>;
  const limit = Math.max(1, parseCount(q.pageSize, 'pageSize', 200, 1000));
  const page = Math.max(1, parseCount(q.page, 'page', 1, 1_000_000));
  const offset = q.offset !== undefined ? parseCount(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) : (page - 1) * limit;
  return { where: q.where ? parseWhere(q.where) : undefined, offset, limit };
}

import { type SelectQueryBuilder, type SqlBool, sql } from 'kysely';

/** A place in a newest-first list: the last row of the page before. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/**
 * A newest-first page of a table keyed by `(created_at, id)`: the rows after `after`, in the order
 * its cursor continues. Rows made in the same instant are told apart by id, so a page boundary
 * between them loses none and repeats none.
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  after: KeysetPosition | undefined,
): SelectQueryBuilder<DB, TB, O> {
  const page = after ? query.where(sql<SqlBool>`(created_at < ${after.createdAt} or (created_at = ${after.createdAt} and id < ${after.id}))`) : query;
  return page.orderBy(sql.ref('created_at'), 'desc').orderBy(sql.ref('id'), 'desc');
}

import { badRequest } from '../errors.ts';

/**
 * Where the next page of a newest-first list starts (the event log, usage): after the last row of
 * this page in the list's order (its time, then its id, both descending). A keyset rather than an
 * offset, so rows that arrive while a client pages do not shift the pages: each row is returned
 * once.
 */
export interface KeysetCursor {
  createdAt: string;
  id: string;
  pageSize: number;
  /** The list the cursor belongs to (`all` or an instance id of the event log, `usage`). */
  list: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url');
}

/** The cursor in `nextPage`; a 400 for anything this server did not issue for this list. */
export function decodeCursor(token: string, list: string): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('nextPage is not a token this server issued');
  }
  const c = parsed as Partial<KeysetCursor> & { v?: unknown };
  if (
    c === null ||
    typeof c !== 'object' ||
    c.v !== 1 ||
    typeof c.createdAt !== 'string' ||
    typeof c.id !== 'string' ||
    c.id.length > 100 ||
    !Number.isInteger(c.pageSize) ||
    typeof c.list !== 'string'
  ) {
    throw badRequest('nextPage is not a token this server issued');
  }
  if (c.list !== list) throw badRequest('nextPage belongs to another list');
  return { createdAt: c.createdAt, id: c.id, pageSize: c.pageSize!, list: c.list };
}

/**
 * Where a newest-first list's page starts and how long it is: after the row `nextPage` names (its
 * page size kept), or from the top with `pageSize` (50 by default, at most `max`). `isId` refuses a
 * token whose id is no id of this list.
 */
export function keysetPage(
  query: { pageSize?: string | undefined; nextPage?: string | undefined },
  list: string,
  options: { max: number; isId?: (id: string) => boolean },
): { size: number; cursor: KeysetCursor | undefined } {
  const cursor = query.nextPage === undefined ? undefined : decodeCursor(query.nextPage, list);
  if (cursor && options.isId && !options.isId(cursor.id)) throw badRequest('nextPage is not a token this server issued');
  return { cursor, size: cursor?.pageSize ?? Math.min(Number(query.pageSize ?? 50), options.max) };
}

/**
 * A page's headers: `Elements-Returned-Count`, and after a full page `Elements-Next-Page-Token`
 * naming its last row (`keyOf` gives that row's time and id).
 */
export function setKeysetHeaders<T>(
  reply: { header(name: string, value: string): unknown },
  rows: readonly T[],
  size: number,
  list: string,
  keyOf: (row: T) => { createdAt: string; id: string },
): void {
  const last = rows.at(-1);
  if (last !== undefined && rows.length === size) reply.header('Elements-Next-Page-Token', encodeCursor({ ...keyOf(last), pageSize: size, list }));
  reply.header('Elements-Returned-Count', String(rows.length));
}

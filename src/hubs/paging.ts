import { hash } from 'node:crypto';
import { badRequest } from '../platform/errors.ts';
import { comparator, matches, readPath, type Expr, type OrderKey } from '../ceql/index.ts';
import type { HubPaging, HubRequest, HubResult } from './hub-contract.ts';

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;
/** Vendors count offsets in 32-bit integers (a Java server's `int`). */
const MAX_OFFSET = 2 ** 31 - 1;

interface PageToken {
  v: 1;
  startAt: number;
  pageSize: number;
  q: string;
}

/** What a token is bound to: the resource and the query, so a token cannot page another query. */
export function queryHash(path: string, where: string | undefined, orderBy: string | undefined): string {
  return hash('sha256', `${path}\0${where ?? ''}\0${orderBy ?? ''}`, 'hex').slice(0, 16);
}

export function encodeToken(t: Omit<PageToken, 'v'>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...t })).toString('base64url');
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value)) throw badRequest(`${name} must be a positive integer`);
  return Number(value);
}

/**
 * `page` (from 1) and `pageSize` (default 200, clamped at 1000), or an opaque `nextPage` token,
 * which wins over `page` (D15, D16). A token of another query is refused.
 */
export function resolvePaging(query: { page?: string; pageSize?: string; nextPage?: string }, q: string): HubPaging {
  const requested = Math.min(Math.max(number(query.pageSize, 'pageSize', DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  if (query.nextPage) {
    let token: PageToken;
    try {
      token = JSON.parse(Buffer.from(query.nextPage, 'base64url').toString('utf8')) as PageToken;
    } catch {
      throw badRequest('nextPage is not a token this server issued');
    }
    // Tokens are not signed, so one is checked as strictly as a query would be.
    if (token?.v !== 1 || !isWithin(token.startAt, 0, MAX_OFFSET) || !isWithin(token.pageSize, 1, MAX_PAGE_SIZE)) {
      throw badRequest('nextPage is not a token this server issued');
    }
    if (token.q !== q) throw badRequest('nextPage belongs to another query: keep where and orderBy the same while paging');
    return { startAt: token.startAt, pageSize: query.pageSize === undefined ? token.pageSize : requested };
  }
  const page = Math.max(number(query.page, 'page', 1), 1);
  const startAt = (page - 1) * requested;
  if (startAt > MAX_OFFSET) throw badRequest(`page ${page} of pageSize ${requested} starts past the last record a vendor can address (${MAX_OFFSET})`);
  return { startAt, pageSize: requested };
}

const isWithin = (n: unknown, min: number, max: number): n is number => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;

/** Paging, `where` and `orderBy` over a list the vendor cannot filter (priorities, projects, …). */
export function pageInMemory(all: unknown[], request: Pick<HubRequest, 'where' | 'orderBy' | 'paging'>): Extract<HubResult, { kind: 'list' }> {
  let items = all;
  if (request.where) items = items.filter((x) => matches(request.where as Expr, x, readPath));
  if (request.orderBy?.length) items = [...items].sort(comparator(request.orderBy as OrderKey[], readPath));
  const { startAt, pageSize } = request.paging;
  const page = items.slice(startAt, startAt + pageSize);
  return { kind: 'list', items: page, total: items.length, nextStartAt: startAt + page.length < items.length ? startAt + page.length : undefined };
}

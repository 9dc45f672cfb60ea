import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/platform/errors.ts';
import { encodeToken, queryHash, resolvePaging } from '../../src/hubs/paging.ts';

const q = queryHash('incidents', "project = 'CE'", undefined);
const token = (t: Record<string, unknown>) => Buffer.from(JSON.stringify({ v: 1, q, ...t })).toString('base64url');
const refused = (query: Parameters<typeof resolvePaging>[0]) => {
  try {
    resolvePaging(query, q);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).status;
  }
  return 200;
};

describe('paging', () => {
  it('reads page and pageSize, clamps pageSize and follows a token of the same query', () => {
    expect(resolvePaging({}, q)).toEqual({ startAt: 0, pageSize: 200 });
    expect(resolvePaging({ page: '3', pageSize: '5000' }, q)).toEqual({ startAt: 2000, pageSize: 1000 });
    expect(resolvePaging({ nextPage: encodeToken({ startAt: 40, pageSize: 20, q }) }, q)).toEqual({ startAt: 40, pageSize: 20 });
    expect(refused({ nextPage: encodeToken({ startAt: 40, pageSize: 20, q: queryHash('incidents', undefined, undefined) }) })).toBe(400);
  });

  it('refuses tokens no server issues: a page size outside 1..1000, offsets that are not 32-bit, garbage', () => {
    for (const bad of [
      { startAt: 0, pageSize: 10_000_000 },
      { startAt: 0, pageSize: 0 },
      { startAt: 1e300, pageSize: 10 },
      { startAt: -1, pageSize: 10 },
      { startAt: 1.5, pageSize: 10 },
      { startAt: '0', pageSize: 10 },
    ]) {
      expect(refused({ nextPage: token(bad) })).toBe(400);
    }
    expect(refused({ nextPage: Buffer.from('null').toString('base64url') })).toBe(400);
    expect(refused({ nextPage: '!!!' })).toBe(400);
  });

  it('refuses a page that starts past what a vendor can address', () => {
    expect(refused({ page: '999999999', pageSize: '1000' })).toBe(400);
    expect(resolvePaging({ page: '2147484', pageSize: '1000' }, q).startAt).toBe(2_147_483_000);
  });
});

import { Type } from 'typebox';
import { badRequest, notFound } from '../errors.ts';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A `from` or `to` query parameter: an ISO date or date-time. */
export const IsoDate = (description: string) =>
  Type.String({ maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$', description });

/** `from` and `to` of a report as the schemas of `/usage` and the event analytics declare them. */
export const DateRangeQuery = {
  from: Type.Optional(IsoDate('ISO date or date-time; default: 7 days before `to`')),
  to: Type.Optional(IsoDate('ISO date (the whole day counts) or date-time; default: now')),
};

/**
 * The instants a report covers, as ISO text, `to` excluded: a date alone is its whole day, `to`
 * defaults to now and `from` to seven days before `to`. A range that ends before it begins is a
 * 400; one that begins in the future has nothing in it (404).
 */
export function dateRange(query: { from?: string | undefined; to?: string | undefined }, nowMs: number, what: string): { from: string; to: string } {
  const instant = (value: string, name: string, endOfDay: boolean) => {
    const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value);
    if (Number.isNaN(ms)) throw badRequest(`${name} is not a date: ${value}`);
    return DATE_ONLY.test(value) && endOfDay ? ms + DAY_MS : ms;
  };
  const to = query.to === undefined ? nowMs + 1 : instant(query.to, 'to', true);
  const from = query.from === undefined ? to - 7 * DAY_MS : instant(query.from, 'from', false);
  if (from >= to) throw badRequest('from must be before to');
  if (from > nowMs) throw notFound(`No ${what} in the future: from is later than now`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

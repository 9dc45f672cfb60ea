import { zonedParts, zonedToUtc } from '../time.ts';

/** A JQL date operand resolved to an instant range [start, end): `=` matches inside it. */
export interface DateRange {
  start: number;
  end: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const UNITS: Record<string, number> = { w: 7 * DAY, d: DAY, h: 60 * MINUTE, m: MINUTE };

/**
 * Parses a JQL date literal in the searcher's zone (jira-server.md §9): absolute
 * `yyyy/MM/dd HH:mm`, `yyyy-MM-dd HH:mm`, `yyyy/MM/dd`, `yyyy-MM-dd`; relative `-5d`, `-4w 2d`,
 * `-90m`, `-60` (minutes); an unquoted unsigned number is epoch milliseconds. Literals carry
 * minutes at most, so comparisons are at minute precision.
 */
export function parseDateLiteral(text: string, quoted: boolean, zone: string, now: number): DateRange | undefined {
  const t = text.trim();
  const abs = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(t);
  if (abs) {
    const [, y, mo, d, h, mi] = abs;
    if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || (h !== undefined && (+h > 23 || +mi! > 59))) return undefined;
    const start = zonedToUtc(zone, +y!, +mo!, +d!, h === undefined ? 0 : +h, mi === undefined ? 0 : +mi);
    const end = h === undefined ? zonedToUtc(zone, +y!, +mo!, +d! + 1) : start + MINUTE;
    return { start, end };
  }
  if (!quoted && /^\d{1,15}$/.test(t)) {
    const ms = Number(t);
    return { start: ms, end: ms + 1 };
  }
  const rel = parseRelative(t);
  if (rel !== undefined) {
    // Relative dates are "now" moved by the period, truncated to the minute.
    const start = Math.floor((now + rel) / MINUTE) * MINUTE;
    return { start, end: start + MINUTE };
  }
  return undefined;
}

/** `-4w 2d`, `+3h`, `5d`, `-60` → signed milliseconds. */
export function parseRelative(text: string): number | undefined {
  const m = /^([+-])?\s*(\d+[wdhm]?(?:\s+\d+[wdhm])*)$/.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of m[2]!.split(/\s+/)) {
    const pm = /^(\d+)([wdhm]?)$/.exec(part)!;
    total += Number(pm[1]) * UNITS[pm[2] || 'm']!;
  }
  return sign * total;
}

/**
 * Offsets of the start/end functions: `-1d`, `+1M`, `1w` (M = months, y = years). A bare number
 * counts in the function's own period: `startOfMonth(-1)` is the start of last month.
 */
function applyOffset(ms: number, offset: string | undefined, zone: string, period: 'd' | 'w' | 'M' | 'y'): number | undefined {
  if (offset === undefined) return ms;
  const m = /^([+-])?(\d{1,6})([yMwdhm])?$/.exec(offset.trim());
  if (!m) return undefined;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  const unit = m[3] ?? period;
  if (unit === 'M' || unit === 'y') {
    const p = zonedParts(ms, zone);
    return zonedToUtc(zone, p.y + (unit === 'y' ? n : 0), p.m + (unit === 'M' ? n : 0), p.d, p.h, p.min);
  }
  return ms + n * UNITS[unit]!;
}

/** `now()`, `startOfDay()`, `endOfWeek("-1")`… in the searcher's zone. */
export function evaluateDateFunction(name: string, args: string[], zone: string, now: number): DateRange | undefined {
  const p = zonedParts(now, zone);
  const lower = name.toLowerCase();
  let start: number;
  let end: number;
  let period: 'd' | 'w' | 'M' | 'y';
  switch (lower) {
    case 'now':
      return { start: now, end: now + 1 };
    case 'startofday':
    case 'endofday':
      start = zonedToUtc(zone, p.y, p.m, p.d);
      end = zonedToUtc(zone, p.y, p.m, p.d + 1);
      period = 'd';
      break;
    case 'startofweek':
    case 'endofweek':
      start = zonedToUtc(zone, p.y, p.m, p.d - p.weekday);
      end = zonedToUtc(zone, p.y, p.m, p.d - p.weekday + 7);
      period = 'w';
      break;
    case 'startofmonth':
    case 'endofmonth':
      start = zonedToUtc(zone, p.y, p.m, 1);
      end = zonedToUtc(zone, p.y, p.m + 1, 1);
      period = 'M';
      break;
    case 'startofyear':
    case 'endofyear':
      start = zonedToUtc(zone, p.y, 1, 1);
      end = zonedToUtc(zone, p.y + 1, 1, 1);
      period = 'y';
      break;
    default:
      return undefined;
  }
  const at = lower.startsWith('start') ? start : end - 1;
  const moved = applyOffset(at, args[0], zone, period);
  if (moved === undefined) return undefined;
  return { start: moved, end: moved + 1 };
}

export const DATE_FUNCTIONS = ['now', 'startofday', 'endofday', 'startofweek', 'endofweek', 'startofmonth', 'endofmonth', 'startofyear', 'endofyear'];

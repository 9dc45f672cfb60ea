/**
 * Jira's time formats: datetimes `yyyy-MM-dd'T'HH:mm:ss.SSSZ` with the offset of the instance
 * zone and no colon (`+0100`), dates `yyyy-MM-dd`. Time-zone arithmetic uses Intl, so any IANA
 * zone works, with its daylight-saving rules.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, zone: string): Record<string, number> {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Offset of `zone` from UTC at instant `ms`, in minutes (e.g. +540 for Asia/Tokyo). */
export function offsetMinutes(ms: number, zone: string): number {
  const p = partsIn(ms, zone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `2017-08-07T18:46:38.000+0000` in `zone`. */
export function formatDateTime(ms: number, zone: string): string {
  const off = offsetMinutes(ms, zone);
  const local = new Date(ms + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
}

/** The calendar date of `ms` in `zone`, `yyyy-MM-dd`. */
export function formatDate(ms: number, zone: string): string {
  return formatDateTime(ms, zone).slice(0, 10);
}

/** The instant at which the wall-clock time `y-m-d h:min` occurs in `zone`. */
export function zonedToUtc(zone: string, y: number, m: number, d: number, h = 0, min = 0): number {
  const guess = Date.UTC(y, m - 1, d, h, min);
  let ms = guess - offsetMinutes(guess, zone) * 60_000;
  // One correction step handles instants near a daylight-saving change.
  ms = guess - offsetMinutes(ms, zone) * 60_000;
  return ms;
}

/** Wall-clock fields of an instant in `zone`. */
export function zonedParts(ms: number, zone: string): { y: number; m: number; d: number; h: number; min: number; weekday: number } {
  const off = offsetMinutes(ms, zone);
  const local = new Date(ms + off * 60_000);
  return {
    y: local.getUTCFullYear(),
    m: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    h: local.getUTCHours(),
    min: local.getUTCMinutes(),
    weekday: local.getUTCDay(),
  };
}

/** Parses Jira's datetime input (`2024-06-01T10:00:00.000+0000`) to epoch ms, or undefined. */
export function parseJiraDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms, sign, oh, om] = m;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms!);
  const off = (+oh! * 60 + +om!) * (sign === '-' ? -1 : 1);
  return utc - off * 60_000;
}

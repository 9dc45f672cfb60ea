/** The longest any Retry-After is honoured: a server asking for more is asking for an hour. */
export const MAX_RETRY_AFTER_MS = 3600_000;

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3),
 * clamped to 0–1 hour. `undefined` when the header is absent or says neither.
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // HTTP dates name a month (and a weekday); anything else Date.parse might read is no date here.
    if (!/[A-Za-z]{3}/.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

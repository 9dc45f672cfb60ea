import { request } from 'undici';
import type { OutboundHttp } from './outbound-http.ts';
import { withoutUrlCredentials } from './url-credentials.ts';
import { retryAfterMs } from './vendor-http/retry-after.ts';

/** Open Connectors' retry policy (§6.8): up to 9 attempts at a notification, attempt x waiting 4^x base units. */
const MAX_ATTEMPTS = 9;

/** What follows a failed attempt: a retry at a time, a wait until it is sent again, or nothing more. */
export type AfterFailure = Date | 'queued' | 'failed';

/** What one POST to a receiver came to: taken (2xx), or a failure to retry no sooner than `retryAfterMs`. */
export type CallbackOutcome = { delivered: true; status: number } | { delivered: false; status: number | null; error: string; retryAfterMs: number };

/**
 * POSTs a notification body to a receiver's URL (credentials in the URL go as Basic auth), within
 * `timeoutMs` for the whole exchange, and says what came of it. Never throws for what the
 * receiver or the network did: that is the outcome.
 */
export async function postCallback(
  http: OutboundHttp,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  nowMs: () => number,
): Promise<CallbackOutcome> {
  const target = withoutUrlCredentials(url);
  try {
    const res = await request(target.url, {
      method: 'POST',
      headers: target.authorization ? { ...headers, authorization: target.authorization } : headers,
      body,
      dispatcher: http.dispatcher(),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { delivered: true, status };
    // Seconds or an HTTP date, clamped to an hour: a huge value must not make an invalid date.
    const header = res.headers['retry-after'];
    const wait = retryAfterMs(Array.isArray(header) ? header[0] : header, nowMs()) ?? 0;
    return { delivered: false, status, error: `the callback answered HTTP ${status}`, retryAfterMs: wait };
  } catch (err) {
    return { delivered: false, status: null, error: `the callback could not be reached: ${(err as Error).message}`, retryAfterMs: 0 };
  }
}

/**
 * What follows failed attempt number `attempt` (from 1), for event and platform notifications
 * alike (§6.8): under the account's `queue` policy it waits until sent again; after the last
 * attempt nothing more; otherwise a retry after 4^(attempt-1) base delays with ±10% jitter, so
 * that many failing receivers do not retry in lockstep, or later if the receiver asked for it.
 */
export function afterFailedAttempt(
  attempt: number,
  policy: 'retry' | 'queue',
  timing: { nowMs: number; baseDelayMs: number; retryAfterMs: number },
): AfterFailure {
  if (policy === 'queue') return 'queued';
  if (attempt >= MAX_ATTEMPTS) return 'failed';
  const backoff = timing.baseDelayMs * 4 ** (attempt - 1) * (0.9 + Math.random() * 0.2);
  return new Date(timing.nowMs + Math.max(backoff, timing.retryAfterMs));
}

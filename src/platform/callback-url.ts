import { badRequest } from './errors.ts';
import { type OutboundPolicy, OutboundRefusedError } from './outbound-policy.ts';
import { maskUrlCredentials } from './url-credentials.ts';

/** The longest callback URL taken. */
export const CALLBACK_URL_MAX = 2000;

/**
 * A URL that switchboard is to POST to, as a user gives it: an event callback, the callback of
 * an asynchronous call or a bulk job, a notification subscription. It must be http(s), at most
 * 2000 characters, and not refused by the outbound policy as far as can be told before DNS (an
 * address literal, a denied host name): a delivery that could never be made is refused now, not
 * found failing later. Throws a 400 that names `field`.
 */
export function checkCallbackUrl(value: string, field: string, policy: OutboundPolicy): string {
  if (value.length > CALLBACK_URL_MAX) throw badRequest(`${field} is longer than ${CALLBACK_URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not echoed: it may hold credentials that no URL parser can find to mask.
    throw badRequest(`${field} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`${field} "${maskUrlCredentials(value).slice(0, 200)}" is not an http(s) URL`);
  try {
    policy.precheck(url);
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw badRequest(`${field}: ${err.message}`);
    throw err;
  }
  return value;
}

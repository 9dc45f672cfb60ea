import type { FastifyRequest } from 'fastify';
import { checkCallbackUrl } from '../callback-url.ts';
import type { OutboundPolicy } from '../outbound-policy.ts';

/**
 * `Elements-Async-Callback-Url` (or the `callbackUrl` a route also takes in its query), checked
 * before any work is accepted (`checkCallbackUrl`). `undefined` when neither is given.
 */
export function asyncCallbackUrl(request: FastifyRequest, policy: OutboundPolicy, query?: string): string | undefined {
  const header = request.headers['elements-async-callback-url'];
  const url = (Array.isArray(header) ? header[0] : header) ?? query;
  if (url === undefined || url === '') return undefined;
  return checkCallbackUrl(url, 'Elements-Async-Callback-Url', policy);
}

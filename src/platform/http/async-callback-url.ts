import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors.ts';

/**
 * `Elements-Async-Callback-Url` (or the `callbackUrl` a route also takes in its query): an
 * http(s) URL of at most 2000 characters, checked before any work is accepted. `undefined` when
 * neither is given.
 */
export function asyncCallbackUrl(request: FastifyRequest, query?: string): string | undefined {
  const header = request.headers['elements-async-callback-url'];
  const url = (Array.isArray(header) ? header[0] : header) ?? query;
  if (url === undefined || url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('Elements-Async-Callback-Url is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('Elements-Async-Callback-Url must be an http(s) URL');
  if (url.length > 2000) throw badRequest('Elements-Async-Callback-Url is longer than 2000 characters');
  return url;
}

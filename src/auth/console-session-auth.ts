import { fastifyCookie } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'JSESSIONID';

/** The header the console sends with every API call that its session cookie authenticates. */
export const CONSOLE_HEADER = 'x-switchboard-console';

/**
 * The console session a request may use instead of secrets in the `Authorization` header. Only
 * the console's own calls qualify: they carry a custom header, which no cross-site form, link or
 * image can send, and they come from the console's own origin (a browser names the origin of
 * every cross-origin call, and the API answers those for any origin). Behind a proxy that passes
 * on another Host, the browser's own `Sec-Fetch-Site: same-origin` (which no page can set) says
 * the same. Anything else gets no session and authenticates as every API client does.
 */
export function consoleSessionOf(request: FastifyRequest): string | undefined {
  if (request.headers[CONSOLE_HEADER] !== '1') return undefined;
  const origin = request.headers.origin;
  const sameOrigin = origin === undefined || hostOf(origin) === request.host || request.headers['sec-fetch-site'] === 'same-origin';
  if (!sameOrigin) return undefined;
  const cookie = request.headers.cookie;
  return cookie ? fastifyCookie.parse(cookie)[SESSION_COOKIE] : undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

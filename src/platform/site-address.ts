import { badRequest } from './errors.ts';

/**
 * `siteAddress` as Open Connectors decided (D5): an http or https URL, optionally with a context
 * path (`https://host/helpdesk`), one trailing slash removed, no query, fragment or credentials.
 * `example` is a URL of the element's vendor for the messages (`https://helpdesk.example.com`).
 */
export function normaliseSiteAddress(raw: unknown, example: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw badRequest(`siteAddress must be the URL of your server, e.g. ${example}`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest(`siteAddress "${raw.slice(0, 200)}" is not a URL; use e.g. ${example}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`siteAddress must use http or https, not ${url.protocol.replace(':', '')}`);
  if (url.search || url.hash) throw badRequest('siteAddress must not have a query or a fragment');
  if (url.username || url.password) throw badRequest('siteAddress must not contain credentials; give them in their own configuration keys');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

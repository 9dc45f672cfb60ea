import { badRequest } from '../../platform/errors.ts';

/**
 * `siteAddress` as Open Connectors decided (D5): an http or https URL, optionally with a context
 * path (`https://host/jira`), one trailing slash removed, no query, fragment or credentials.
 */
export function normaliseSiteAddress(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw badRequest('siteAddress must be the URL of your Jira, e.g. https://jira.example.com');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest(`siteAddress "${raw.slice(0, 200)}" is not a URL; use e.g. https://jira.example.com or https://example.com/jira`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`siteAddress must use http or https, not ${url.protocol.replace(':', '')}`);
  if (url.search || url.hash) throw badRequest('siteAddress must not have a query or a fragment');
  if (url.username || url.password) throw badRequest('siteAddress must not contain credentials; use username and password');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

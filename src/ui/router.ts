import { useEffect, useState } from 'react';

/**
 * Hash routes (`#/instances/12?q=support`): the back button works, and the server needs only to
 * answer the console's page paths with the console (`/instances/12` becomes `#/instances/12`).
 */
function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** The route's path segments: `#/instances/12?q=x` → `['instances', '12']`. */
export function useRoute(): string[] {
  return useHash().replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean);
}

/** The route's query: what a page keeps in the URL (a search, a sort, a page). */
export function useRouteQuery(): URLSearchParams {
  const hash = useHash();
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

export const go = (path: string) => {
  location.hash = `#/${path}`;
};

/** Replaces the route's query without a new history entry per keystroke. */
export function setRouteQuery(query: URLSearchParams): void {
  const path = location.hash.split('?')[0] || '#/';
  const text = query.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${path}${text ? `?${text}` : ''}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** A page opened by its path (`/instances/1`, from a bookmark or a link) moves to its hash route. */
export function adoptPathRoute(): void {
  if (location.pathname === '/' || location.hash) return;
  history.replaceState(null, '', `/#${location.pathname}${location.search}`);
}

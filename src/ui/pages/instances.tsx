import { useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { api, describeError, type Instance } from '../api.ts';
import { Loading } from '../components/loading.tsx';
import { StatusChips } from '../components/status-chips.tsx';
import { When } from '../components/when.tsx';
import { setRouteQuery, useRouteQuery } from '../router.ts';

const PAGE_SIZE = 25;
const COLUMNS = [
  { label: 'Name', orderBy: 'name' },
  { label: 'Connector', orderBy: 'element.key' },
  { label: 'Status', orderBy: undefined },
  { label: 'Tags', orderBy: undefined },
  { label: 'Created', orderBy: 'createdDate' },
] as const;

interface ListPage {
  items: Instance[];
  total: number;
}

/**
 * The organization's instances, one page at a time from the server, with the search, the order
 * and the page kept in the URL (`#/instances?q=support&sort=name&dir=desc&page=2`), so a reload, a
 * bookmark or the back button shows the same list.
 */
export function Instances() {
  useTitle('Instances');
  const query = useRouteQuery();
  const search = query.get('q') ?? '';
  const sort = query.get('sort') ?? 'createdDate';
  const dir = query.get('dir') === 'asc' ? 'asc' : 'desc';
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const [typed, setTyped] = useState(search);
  const [list, setList] = useState<ListPage>();
  const [error, setError] = useState<string>();

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    setRouteQuery(next);
  };

  // The search box follows the URL when it changes by itself (back, forward, a link).
  useEffect(() => setTyped((shown) => (shown.trim() === search ? shown : search)), [search]);
  // The URL follows the search box after a pause in typing, so each keystroke is not a request.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `update` reads the current query; only the typed text starts the timer
  useEffect(() => {
    if (typed.trim() === search) return;
    const timer = setTimeout(() => update({ q: typed.trim(), page: undefined }), 300);
    return () => clearTimeout(timer);
  }, [typed]);

  useEffect(() => {
    let current = true;
    const params = new URLSearchParams({ hydrate: 'false', pageSize: String(PAGE_SIZE), page: String(page), orderBy: `${sort} ${dir}` });
    if (search) params.set('searchText', search);
    api<Instance[]>('GET', `/instances?${params}`).then(
      (r) => {
        if (!current) return;
        setError(undefined);
        setList({ items: r.body, total: Number(r.headers.get('Elements-Total-Count') ?? r.body.length) });
      },
      (e) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [search, sort, dir, page]);

  if (!list) return <Loading error={error} />;
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = first + list.items.length - 1;
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));

  if (list.total === 0 && !search) {
    return (
      <section>
        <h1>Instances</h1>
        <div className="empty">
          <p>This organization has no instances yet.</p>
          <p>An instance connects switchboard to one helpdesk with its address and credentials.</p>
          <a className="button primary" href="#/catalog">
            Connect your first helpdesk
          </a>
        </div>
      </section>
    );
  }

  return (
    <section>
      <div className="page-head">
        <h1>Instances</h1>
        <a className="button primary" href="#/catalog">
          New instance
        </a>
      </div>
      <div className="filters">
        <div>
          <label htmlFor="instance-search">Search by name or tag</label>
          <input id="instance-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {list.total === 0 ? (
        <div className="empty" role="status">
          <p>No instance matches “{search}”.</p>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setTyped('');
              update({ q: undefined, page: undefined });
            }}
          >
            Clear the search
          </button>
        </div>
      ) : (
        <>
          <table className="list">
            <caption aria-live="polite">
              {first}–{last} of {list.total} instances{search ? ` matching “${search}”` : ''}
            </caption>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.label} scope="col" aria-sort={c.orderBy && c.orderBy === sort ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                    {c.orderBy ? (
                      <button
                        type="button"
                        className="sort"
                        onClick={() => update({ sort: c.orderBy, dir: c.orderBy === sort && dir === 'asc' ? 'desc' : 'asc', page: undefined })}
                      >
                        {c.label}
                        <span aria-hidden="true">{c.orderBy === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.items.map((i) => (
                <tr key={i.id}>
                  <td data-label="Name" className="name-cell">
                    <a href={`#/instances/${i.id}`} title={i.name}>
                      {i.name}
                    </a>
                  </td>
                  <td data-label="Connector" className="nowrap">
                    {i.element.name}
                  </td>
                  <td data-label="Status">
                    <StatusChips instance={i} />
                  </td>
                  <td data-label="Tags" className="cut" title={i.tags.join(', ')}>
                    {i.tags.join(', ')}
                  </td>
                  <td data-label="Created" className="nowrap">
                    <When iso={i.createdDate} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of instances">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => update({ page: page > 2 ? String(page - 1) : undefined })}>
              Previous page
            </button>
            <span>
              Page {page} of {pages}
            </span>
            <button type="button" className="secondary" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>
              Next page
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

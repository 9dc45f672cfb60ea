import { useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { api, describeError, type Element } from '../api.ts';
import { go } from '../router.ts';

export function Catalog() {
  useTitle('Connectors');
  const [elements, setElements] = useState<Element[]>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  useEffect(() => {
    api<Element[]>('GET', '/elements').then(
      (r) => setElements(r.body),
      (e) => setError(describeError(e)),
    );
  }, []);
  const shown = (elements ?? []).filter((e) => e.name.toLowerCase().includes(query.toLowerCase()));
  return (
    <section>
      <h1>Connectors</h1>
      <label htmlFor="catalog-search">Search connectors</label>
      <input id="catalog-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="cards">
        {shown.map((e) => (
          <li key={e.key} className="card">
            <div className="logo" aria-hidden="true">
              {e.name
                .split(' ')
                .map((w) => w[0])
                .join('')}
            </div>
            <h2>{e.name}</h2>
            <p className="muted">Hub: {e.hub}</p>
            <p>{e.description}</p>
            <button type="button" onClick={() => go(`authenticate/${e.key}`)}>
              Authenticate {e.name}
            </button>
          </li>
        ))}
      </ul>
      {elements && shown.length === 0 && <p>No connector matches “{query}”.</p>}
    </section>
  );
}

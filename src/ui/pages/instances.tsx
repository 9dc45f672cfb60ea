import { useEffect, useState } from 'react';
import { api, describeError, type Instance } from '../api.ts';

const status = (i: Instance) => (i.disabled ? 'disabled' : i.valid ? 'valid' : 'invalid');

export function Instances() {
  const [instances, setInstances] = useState<Instance[]>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  useEffect(() => {
    const started = performance.now();
    api<Instance[]>('GET', '/instances?hydrate=false').then(
      (r) => {
        setInstances(r.body);
        requestAnimationFrame(() => {
          (window as unknown as { __instancesRenderMs?: number }).__instancesRenderMs = performance.now() - started;
        });
      },
      (e) => setError(describeError(e)),
    );
  }, []);
  const q = query.toLowerCase();
  const shown = (instances ?? []).filter((i) => i.name.toLowerCase().includes(q) || i.tags.some((t) => t.toLowerCase().includes(q)));
  return (
    <section>
      <h1>Instances</h1>
      <label htmlFor="instance-search">Search by name or tag</label>
      <input id="instance-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {instances && (
        <table>
          <caption>
            {shown.length} of {instances.length} instances
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Connector</th>
              <th scope="col">Status</th>
              <th scope="col">Tags</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={`#/instances/${i.id}`}>{i.name}</a>
                </td>
                <td>{i.element.name}</td>
                <td>
                  <span className={`badge ${status(i)}`}>{status(i)}</span>
                </td>
                <td>{i.tags.join(', ')}</td>
                <td>
                  <time dateTime={i.createdDate}>{new Date(i.createdDate).toLocaleString()}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

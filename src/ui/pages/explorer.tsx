import { useEffect, useState, type FormEvent } from 'react';
import { api, describeError, HttpError } from '../api.ts';

interface Operation {
  method: string;
  path: string;
  summary: string;
  parameters: { name: string; in: string; required?: boolean }[];
}

/** Renders the instance's API document and sends real requests with its token filled in. */
export function Explorer({ instanceId, token }: { instanceId: number; token: string }) {
  const [ops, setOps] = useState<Operation[]>([]);
  const [basePath, setBasePath] = useState('');
  const [selected, setSelected] = useState(0);
  const [params, setParams] = useState<Record<string, string>>({});
  const [body, setBody] = useState('');
  const [result, setResult] = useState<{ status: number; text: string }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ basePath: string; paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> }>('GET', `/instances/${instanceId}/docs`).then(
      (r) => {
        setBasePath(r.body.basePath.replace('/elements/api-v2', ''));
        setOps(
          Object.entries(r.body.paths).flatMap(([path, methods]) =>
            Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
          ),
        );
      },
      (e) => setError(describeError(e)),
    );
  }, [instanceId]);
  const op = ops[selected];
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!op) return;
    let path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] ?? ''));
    const query = op.parameters
      .filter((p) => p.in === 'query' && params[p.name])
      .map((p) => `${p.name}=${encodeURIComponent(params[p.name]!)}`)
      .join('&');
    if (query) path += `?${query}`;
    setError(undefined);
    try {
      const res = await api(`${op.method}`, `${basePath}${path}`, ['POST', 'PUT', 'PATCH'].includes(op.method) && body ? JSON.parse(body) : undefined, token);
      setResult({ status: res.status, text: JSON.stringify(res.body, null, 2) ?? '' });
    } catch (err) {
      if (err instanceof HttpError) setResult({ status: err.status, text: JSON.stringify(err.body, null, 2) });
      else setError(describeError(err));
    }
  };
  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!op) return <p>Loading the API document…</p>;
  return (
    <form onSubmit={send} className="explorer">
      <label htmlFor="explorer-op">Operation</label>
      <select
        id="explorer-op"
        value={selected}
        onChange={(e) => {
          setSelected(Number(e.target.value));
          setParams({});
          setResult(undefined);
        }}
      >
        {ops.map((o, i) => (
          <option key={`${o.method} ${o.path}`} value={i}>
            {o.method} {o.path}
          </option>
        ))}
      </select>
      {op.parameters
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => (
          <div key={p.name} className="field">
            <label htmlFor={`param-${p.name}`}>
              {p.name}
              {p.required ? ' *' : ''} <span className="muted">({p.in})</span>
            </label>
            <input id={`param-${p.name}`} value={params[p.name] ?? ''} onChange={(e) => setParams({ ...params, [p.name]: e.target.value })} />
          </div>
        ))}
      {['POST', 'PUT', 'PATCH'].includes(op.method) && (
        <div className="field">
          <label htmlFor="explorer-body">Body (JSON)</label>
          <textarea id="explorer-body" value={body} onChange={(e) => setBody(e.target.value)} rows={6} />
        </div>
      )}
      <button type="submit">Send {op.method}</button>
      {result && (
        <div aria-live="polite">
          <p>
            HTTP <strong data-testid="explorer-status">{result.status}</strong>
          </p>
          <pre className="response" data-testid="explorer-response">
            {result.text}
          </pre>
        </div>
      )}
    </form>
  );
}

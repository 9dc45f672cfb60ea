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
  /** The API document could not be read: there is no form to show. */
  const [loadError, setLoadError] = useState<string>();
  /** What stopped a send, by field (`body`, a parameter's name) or `send`; the form and its values stay. */
  const [problems, setProblems] = useState<Record<string, string>>({});
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
      (e) => setLoadError(describeError(e)),
    );
  }, [instanceId]);
  const op = ops[selected];
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!op) return;
    // Checked before anything is sent: an empty path parameter would send another call (the list
    // instead of one item), and a body that is not JSON cannot be sent at all.
    const found: Record<string, string> = {};
    for (const p of op.parameters) {
      // Header parameters (the token) are the explorer's to fill, not the user's.
      const asked = p.in === 'path' || (p.in === 'query' && p.required);
      if (asked && !(params[p.name] ?? '').trim()) found[p.name] = `${p.name} is required`;
    }
    const withBody = ['POST', 'PUT', 'PATCH'].includes(op.method) && body.trim() !== '';
    let json: unknown;
    if (withBody) {
      try {
        json = JSON.parse(body);
      } catch (err) {
        found.body = `The body is not JSON: ${(err as Error).message}`;
      }
    }
    setProblems(found);
    if (Object.keys(found).length) return;
    let path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] ?? ''));
    const query = op.parameters
      .filter((p) => p.in === 'query' && params[p.name])
      .map((p) => `${p.name}=${encodeURIComponent(params[p.name]!)}`)
      .join('&');
    if (query) path += `?${query}`;
    try {
      const res = await api(`${op.method}`, `${basePath}${path}`, withBody ? json : undefined, token);
      setResult({ status: res.status, text: JSON.stringify(res.body, null, 2) ?? '' });
    } catch (err) {
      if (err instanceof HttpError) setResult({ status: err.status, text: JSON.stringify(err.body, null, 2) });
      else setProblems({ send: describeError(err) });
    }
  };
  if (loadError)
    return (
      <p role="alert" className="error">
        {loadError}
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
          setProblems({});
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
            <input
              id={`param-${p.name}`}
              value={params[p.name] ?? ''}
              aria-invalid={problems[p.name] ? true : undefined}
              aria-describedby={problems[p.name] ? `param-${p.name}-problem` : undefined}
              onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}
            />
            {problems[p.name] && (
              <p id={`param-${p.name}-problem`} className="error">
                {problems[p.name]}
              </p>
            )}
          </div>
        ))}
      {['POST', 'PUT', 'PATCH'].includes(op.method) && (
        <div className="field">
          <label htmlFor="explorer-body">Body (JSON)</label>
          <textarea
            id="explorer-body"
            value={body}
            aria-invalid={problems.body ? true : undefined}
            aria-describedby={problems.body ? 'explorer-body-problem' : undefined}
            onChange={(e) => setBody(e.target.value)}
            rows={6}
          />
          {problems.body && (
            <p id="explorer-body-problem" className="error" data-testid="explorer-body-problem">
              {problems.body}
            </p>
          )}
        </div>
      )}
      <button type="submit">Send {op.method}</button>
      {Object.keys(problems).length > 0 && (
        <p role="alert" className="error" data-testid="explorer-problem">
          {problems.send ?? 'Not sent: correct the fields marked above.'}
        </p>
      )}
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

import { useEffect, useState, type FormEvent } from 'react';
import { ScrollBox } from '../components/scroll-box.tsx';
import { API, api, apiRaw, describeError, fetchSecrets, type Secrets } from '../api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { RecordTable, tableColumns } from '../components/record-table.tsx';
import { curlCommand, hubAuthorization } from '../curl.ts';
import { exampleOf } from '../schema-example.ts';

interface Operation {
  method: string;
  path: string;
  summary: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
}

/** One answer as it came: status, time, headers and body. */
interface Answer {
  status: number;
  ms: number;
  headers: [string, string][];
  body: unknown;
  text: string;
  /** What was sent, for "Copy as cURL". */
  method: string;
  url: string;
  sentBody?: string | undefined;
}

const WRITES = ['POST', 'PUT', 'PATCH'];

/** Sends one call and keeps whatever came back, a refusal included (only no answer at all throws). */
async function exchange(method: string, path: string, body: unknown, token: string): Promise<Omit<Answer, 'method' | 'url' | 'sentBody'>> {
  const started = performance.now();
  const res = await apiRaw(method, path, { body, refusals: true }, token);
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a download): shown as text.
  }
  return {
    status: res.status,
    ms,
    headers: [...res.headers.entries()],
    body: parsed,
    text: typeof parsed === 'string' ? parsed : (JSON.stringify(parsed, null, 2) ?? ''),
  };
}

/** Renders the instance's API document and sends real requests with its token filled in. */
export function Explorer({ instanceId, token }: { instanceId: number; token: string }) {
  const [ops, setOps] = useState<Operation[]>([]);
  const [basePath, setBasePath] = useState('');
  const [selected, setSelected] = useState(0);
  const [params, setParams] = useState<Record<string, string>>({});
  const [body, setBody] = useState('');
  const [result, setResult] = useState<Answer>();
  const [view, setView] = useState<'table' | 'json'>('table');
  const [definitions, setDefinitions] = useState<Record<string, Record<string, unknown>>>({});
  const [secrets, setSecrets] = useState<Secrets>();
  const [busy, setBusy] = useState(false);
  /** The API document could not be read: there is no form to show. */
  const [loadError, setLoadError] = useState<string>();
  /** What stopped a send, by field (`body`, a parameter's name) or `send`; the form and its values stay. */
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    fetchSecrets().then(setSecrets, () => undefined);
    api<{ basePath: string; paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>; definitions?: Record<string, Record<string, unknown>> }>(
      'GET',
      `/instances/${instanceId}/docs`,
    ).then(
      (r) => {
        setBasePath(r.body.basePath.replace('/elements/api-v2', ''));
        setDefinitions(r.body.definitions ?? {});
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
  const send = (e: FormEvent) => {
    e.preventDefault();
    void sendWith(params);
  };
  const sendWith = async (params: Record<string, string>) => {
    if (!op) return;
    // Checked before anything is sent: an empty path parameter would send another call (the list
    // instead of one item), and a body that is not JSON cannot be sent at all.
    const found: Record<string, string> = {};
    for (const p of op.parameters) {
      // Header parameters (the token) are the explorer's to fill, not the user's.
      const asked = p.in === 'path' || (p.in === 'query' && p.required);
      if (asked && !(params[p.name] ?? '').trim()) found[p.name] = `${p.name} is required`;
    }
    const withBody = WRITES.includes(op.method) && body.trim() !== '';
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
    setBusy(true);
    try {
      const answer = await exchange(op.method, `${basePath}${path}`, withBody ? json : undefined, token);
      setResult({ ...answer, method: op.method, url: `${location.origin}${API}${basePath}${path}`, sentBody: withBody ? body : undefined });
    } catch (err) {
      setProblems({ send: describeError(err) });
    } finally {
      setBusy(false);
    }
  };
  const choose = (index: number) => {
    setSelected(index);
    setParams({});
    setProblems({});
    setResult(undefined);
    const next = ops[index];
    const model = next?.parameters.find((p) => p.in === 'body')?.schema;
    setBody(next && WRITES.includes(next.method) && model ? JSON.stringify(exampleOf(model, definitions), null, 2) : '');
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
      <select id="explorer-op" value={selected} onChange={(e) => choose(Number(e.target.value))}>
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
      {WRITES.includes(op.method) && (
        <div className="field">
          <label htmlFor="explorer-body">Body (JSON)</label>
          <textarea
            id="explorer-body"
            className="code"
            spellCheck={false}
            value={body}
            aria-invalid={problems.body ? true : undefined}
            aria-describedby={problems.body ? 'explorer-body-problem' : undefined}
            onChange={(e) => setBody(e.target.value)}
            rows={10}
          />
          {problems.body && (
            <p id="explorer-body-problem" className="error" data-testid="explorer-body-problem">
              {problems.body}
            </p>
          )}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Send {op.method}
      </button>
      {Object.keys(problems).length > 0 && (
        <p role="alert" className="error" data-testid="explorer-problem">
          {problems.send ?? 'Not sent: correct the fields marked above.'}
        </p>
      )}
      {result && (
        <AnswerView
          answer={result}
          view={view}
          onView={setView}
          secrets={secrets}
          token={token}
          onNextPage={
            op.parameters.some((p) => p.name === 'nextPage')
              ? (next) => {
                  const withNext = { ...params, nextPage: next };
                  setParams(withNext);
                  void sendWith(withNext);
                }
              : undefined
          }
        />
      )}
    </form>
  );
}

const header = (answer: Answer, name: string) => answer.headers.find(([n]) => n === name.toLowerCase())?.[1];

/** The answer: coloured status, time, paging, headers, and the body as a table or as JSON. */
function AnswerView({
  answer,
  view,
  onView,
  secrets,
  token,
  onNextPage,
}: {
  answer: Answer;
  view: 'table' | 'json';
  onView: (view: 'table' | 'json') => void;
  secrets: Secrets | undefined;
  token: string;
  onNextPage: ((token: string) => void) | undefined;
}) {
  const returned = header(answer, 'Elements-Returned-Count');
  const total = header(answer, 'Elements-Total-Count');
  const next = header(answer, 'Elements-Next-Page-Token');
  const table = tableColumns(answer.body).length > 0;
  const curl = (mask: boolean) =>
    secrets
      ? curlCommand({
          method: answer.method,
          url: answer.url,
          headers: [
            ['Authorization', hubAuthorization(secrets, token, mask)],
            ...(answer.sentBody ? ([['Content-Type', 'application/json']] as [string, string][]) : []),
          ],
          body: answer.sentBody,
        })
      : '';
  return (
    <div aria-live="polite" className="answer">
      <p className="answer-line">
        <span className={`http-status s${String(answer.status)[0]}xx`}>
          HTTP <strong data-testid="explorer-status">{answer.status}</strong>
        </span>
        <span data-testid="explorer-time">{Math.round(answer.ms)} ms</span>
        {returned !== undefined && (
          <span data-testid="explorer-count">
            {returned}
            {total !== undefined ? ` of ${total}` : ''} records
          </span>
        )}
      </p>
      <div className="actions">
        {next && onNextPage && (
          <button type="button" className="secondary" onClick={() => onNextPage(next)}>
            Next page
          </button>
        )}
        <CopyButton text={answer.text} label="Copy the response" />
        {secrets && <CopyButton text={curl(false)} label="Copy as cURL" />}
      </div>
      <details>
        <summary>Response headers ({answer.headers.length})</summary>
        <dl className="headers" data-testid="explorer-headers">
          {answer.headers.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </details>
      {table && (
        <fieldset className="view-switch">
          <legend className="sr-only">Show the answer as</legend>
          <label>
            <input type="radio" name="answer-view" checked={view === 'table'} onChange={() => onView('table')} /> Table
          </label>
          <label>
            <input type="radio" name="answer-view" checked={view === 'json'} onChange={() => onView('json')} /> JSON
          </label>
        </fieldset>
      )}
      {table && view === 'table' ? (
        <RecordTable rows={answer.body as unknown[]} caption={`${(answer.body as unknown[]).length} records`} />
      ) : (
        <details open className="json">
          <summary>Body</summary>
          <ScrollBox className="response code" testId="explorer-response">
            {answer.text}
          </ScrollBox>
        </details>
      )}
      {secrets && (
        <details>
          <summary>As cURL</summary>
          <pre className="curl code">{curl(true)}</pre>
        </details>
      )}
    </div>
  );
}

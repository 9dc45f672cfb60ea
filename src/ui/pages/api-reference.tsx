import { useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { API } from '../api.ts';

/** The parts of a JSON Schema (as OpenAPI 3.1 carries them) this page shows. */
interface Schema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  maxLength?: number;
  additionalProperties?: boolean | Schema;
}

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

interface ApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A one-line name for a schema: `string`, `Instance[]`, `"a" | "b"`. */
function typeName(s: Schema | undefined): string {
  if (!s) return 'any';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' | ');
  if (s.type === 'array') return `${s.items?.title ?? typeName(s.items)}[]`;
  if (s.title) return s.title;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

/** The members of an object schema, nested objects folded in below their member. */
function SchemaView({ schema, depth = 0 }: { schema: Schema | undefined; depth?: number }) {
  const target = schema?.type === 'array' ? schema.items : schema;
  if (!target?.properties || depth > 4) return <code>{typeName(schema)}</code>;
  return (
    <ul className="schema">
      {Object.entries(target.properties).map(([name, p]) => (
        <li key={name}>
          <code>{name}</code>
          {target.required?.includes(name) ? (
            <span className="required" title="required">
              *
            </span>
          ) : null}
          : <code>{typeName(p)}</code>
          {p.description ? <span className="hint"> — {p.description}</span> : null}
          {(p.properties || p.items?.properties) && depth < 4 ? <SchemaView schema={p} depth={depth + 1} /> : null}
        </li>
      ))}
    </ul>
  );
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const body = op.requestBody?.content?.['application/json']?.schema;
  const ok = Object.entries(op.responses ?? {}).find(([code]) => code.startsWith('2'));
  const okSchema = ok?.[1].content?.['application/json']?.schema;
  const params = op.parameters ?? [];
  return (
    <details className="operation">
      <summary>
        <span className={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code> <span className="hint">{op.summary}</span>
      </summary>
      {op.security && op.security.length === 0 ? <p>No credentials needed.</p> : null}
      {params.length > 0 && (
        <>
          <h3>Parameters</h3>
          <ul className="schema">
            {params.map((p) => (
              <li key={`${p.in}:${p.name}`}>
                <code>{p.name}</code> ({p.in}
                {p.required ? ', required' : ''}): <code>{typeName(p.schema)}</code>
                {(p.schema?.description ?? p.description) ? <span className="hint"> — {p.schema?.description ?? p.description}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {body && (
        <>
          <h3>Body</h3>
          <SchemaView schema={body} />
        </>
      )}
      {ok && (
        <>
          <h3>Answer {ok[0]}</h3>
          <SchemaView schema={okSchema} />
        </>
      )}
      <p className="hint">
        Errors answer <code>{'{requestId, message[, providerMessage, providerCode]}'}</code>.
      </p>
    </details>
  );
}

/** The platform API, from the server's own OpenAPI document (GET /elements/api-v2/openapi.json). */
export function ApiReference() {
  useTitle('API reference');
  const [doc, setDoc] = useState<ApiDocument>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    fetch(`${API}/openapi.json`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(
        (d: ApiDocument) => setDoc(d),
        (e: Error) => setError(e.message),
      );
  }, []);
  if (error)
    return (
      <section>
        <h1>API reference</h1>
        <p role="alert">The API document could not be loaded: {error}</p>
      </section>
    );
  if (!doc)
    return (
      <section>
        <h1>API reference</h1>
        <p>Loading…</p>
      </section>
    );
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  const needle = filter.trim().toLowerCase();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      if (needle && !`${method} ${path} ${op.summary ?? ''}`.toLowerCase().includes(needle)) continue;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  return (
    <section>
      <h1>API reference</h1>
      <p>
        {doc.info.description} Version {doc.info.version}. The document itself:{' '}
        <a href={`${API}/openapi.json`}>
          <code>{API}/openapi.json</code>
        </a>{' '}
        (OpenAPI 3.1).
      </p>
      <label htmlFor="api-filter">Filter</label>
      <input id="api-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="instances, POST, transformations…" />
      {[...byTag.entries()].map(([tag, ops]) => (
        <section key={tag} aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`}>{tag}</h2>
          {ops.map((o) => (
            <OperationView key={`${o.method} ${o.path}`} {...o} />
          ))}
        </section>
      ))}
    </section>
  );
}

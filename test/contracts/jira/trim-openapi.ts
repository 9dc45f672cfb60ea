/**
 * Makes the Jira contract the emulator's tests read from Atlassian's published OpenAPI document
 * for Jira Software Data Center: paths, methods, status codes and the response schemas they
 * reference, nothing else (no descriptions, examples, parameters or request bodies).
 *
 *   npm run contracts:jira -- <path to jira-software-dc-<version>-openapi.json>
 *
 * writes `jira-dc-openapi.trimmed.json` beside this file, recording the source's version and hash.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = { [key: string]: Json };

const KEEP = new Set([
  'type',
  'format',
  'enum',
  'required',
  'nullable',
  'uniqueItems',
  'readOnly',
  'writeOnly',
  '$ref',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
]);
const SCHEMA_VALUED = new Set(['items', 'additionalProperties', 'not']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** A schema with only the keywords that validate, and the component names it references. */
function trimSchema(schema: Json, refs: Set<string>): Json {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Node = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEEP.has(key)) {
      out[key] = value;
      if (key === '$ref' && typeof value === 'string') refs.add(value.replace('#/components/schemas/', ''));
    } else if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, trimSchema(s, refs)]));
    } else if (SCHEMA_VALUED.has(key)) {
      out[key] = typeof value === 'boolean' ? value : trimSchema(value, refs);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((s) => trimSchema(s, refs));
    }
  }
  return out;
}

export function trimOpenApi(doc: Node, sourceText: string): Node {
  const refs = new Set<string>();
  const paths: Node = {};
  for (const [path, item] of Object.entries(doc.paths as Node)) {
    const methods: Node = {};
    for (const [method, op] of Object.entries(item as Node)) {
      if (!METHODS.has(method)) continue;
      const responses: Node = {};
      for (const [status, response] of Object.entries(((op as Node).responses ?? {}) as Node)) {
        const schema = ((response as Node).content as Node | undefined)?.['application/json'] as Node | undefined;
        responses[status] = schema?.schema ? { content: { 'application/json': { schema: trimSchema(schema.schema, refs) } } } : {};
      }
      methods[method] = { responses };
    }
    paths[path] = methods;
  }
  // Components reached from the responses, and from those components in turn.
  const all = (doc.components as Node).schemas as Node;
  const schemas: Node = {};
  for (const pending = [...refs]; pending.length > 0; ) {
    const name = pending.pop()!;
    if (name in schemas || !(name in all)) continue;
    const found = new Set<string>();
    schemas[name] = trimSchema(all[name]!, found);
    pending.push(...found);
  }
  const info = doc.info as Node;
  return {
    openapi: doc.openapi!,
    info: { title: info.title!, version: info.version! },
    'x-trimmed-from': { sha256: createHash('sha256').update(sourceText).digest('hex'), by: 'test/contracts/jira/trim-openapi.ts' },
    paths,
    components: { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('usage: npm run contracts:jira -- <jira-software-dc-…-openapi.json>\n');
    process.exit(2);
  }
  const text = readFileSync(source, 'utf8');
  const out = resolve(import.meta.dirname, 'jira-dc-openapi.trimmed.json');
  writeFileSync(out, `${JSON.stringify(trimOpenApi(JSON.parse(text) as Node, text), null, 1)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

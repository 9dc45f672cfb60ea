import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';

/** `../shared/contracts/open-connectors` beside the project root (as laid out for CI too). */
export const contractsDir = resolve(import.meta.dirname, '../../../shared/contracts/open-connectors');

/**
 * The Open Connectors schemas use draft-04 `id` keywords as labels on every property
 * (`"id": "name"`), which draft-04 would read as base-URI changes; they are dropped. The element
 * schema references `element.resource.schema.json`, which is not published: it is stood in by
 * an object schema (our elements emit `resources: []` anyway).
 */
function stripIds(node: unknown, root: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => stripIds(n, false));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string' && !root) continue;
    if (k === 'id' && root) continue;
    if (k === '$schema') continue;
    out[k] = k === 'properties' && v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, stripIds(pv, false)]))
      : stripIds(v, false);
  }
  return out;
}

// ajv-draft-04 is CommonJS; loading it through require sidesteps its default-export typing under NodeNext.
const Ajv04 = createRequire(import.meta.url)('ajv-draft-04') as new (options: Options) => Ajv;

let ajv: Ajv | undefined;

function load(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv04({ allErrors: true, strict: false });
  for (const file of readdirSync(contractsDir).filter((f) => f.endsWith('.schema.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(contractsDir, file), 'utf8')), true) as Record<string, unknown>;
    ajv.addSchema({ ...schema, id: file }, file);
  }
  ajv.addSchema({ id: 'element.resource.schema.json', type: 'object' }, 'element.resource.schema.json');
  return ajv;
}

/** Throws with ajv's messages when `value` does not validate against the named contract schema. */
export function assertContract(schemaFile: string, value: unknown): void {
  const validate = load().getSchema(schemaFile) as ValidateFunction | undefined;
  if (!validate) throw new Error(`no contract schema ${schemaFile}`);
  if (!validate(value)) {
    throw new Error(`${schemaFile}: ${load().errorsText(validate.errors, { separator: '\n' })}`);
  }
}

/**
 * Swagger 2.0 of the platform API (`GET /docs/{resource}`, `GET /docs/all`), made from the
 * OpenAPI 3.1 document that the routes' own schemas give (`api-document.ts`), so that both
 * documents describe the same routes. Swagger 2.0 has no `anyOf`, no `const`, no `null` type and
 * no `4XX` answers: what it cannot say is said as near as it can (see `downgrade`).
 */

type Schema = Record<string, unknown>;

/** The parts of the OpenAPI 3.1 document this reads. */
export interface OpenApiDocument {
  info: { title: string; description?: string; version: string };
  components?: { securitySchemes?: Record<string, Schema> };
  security?: unknown[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Schema }> }>;
}

/** Keywords a Swagger 2.0 Schema Object has (besides `x-` extensions). */
const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  'format',
  'title',
  'description',
  'default',
  'multipleOf',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'items',
  'properties',
  'additionalProperties',
  'readOnly',
  'example',
]);
/** What a non-body parameter may carry of its schema. */
const PARAMETER_KEYWORDS = ['type', 'format', 'items', 'default', 'maximum', 'minimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'enum'];
/** What the `items` of a non-body parameter may carry: no description or title, unlike a schema. */
const ITEMS_KEYWORDS = [...PARAMETER_KEYWORDS, 'collectionFormat', 'uniqueItems', 'multipleOf', 'exclusiveMaximum', 'exclusiveMinimum'];

const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON Schema as Swagger 2.0 can say it: a type list or an `anyOf` with `null` in it becomes
 * `x-nullable`; `const` an enum of one; an `anyOf` of enums one enum; an `anyOf` of objects one
 * object with every member (required only where every branch requires it); any other `anyOf` a
 * schema of any type that names its branches.
 */
export function downgrade(schema: unknown): Schema {
  if (!isObject(schema)) return {};
  const out: Schema = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null');
      nullable ||= types.length < value.length;
      if (types.length === 1) out.type = types[0];
    } else if (key === 'type' && value === 'null') nullable = true;
    else if (key === 'const') out.enum = [value];
    else if (key === 'enum' && Array.isArray(value)) {
      nullable ||= value.includes(null);
      out.enum = value.filter((v) => v !== null);
    } else if (key === 'properties' && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, downgrade(s)]));
    else if (key === 'items') out.items = downgrade(Array.isArray(value) ? value[0] : value);
    else if (key === 'additionalProperties') out.additionalProperties = isObject(value) ? downgrade(value) : value;
    else if (key === 'required' && Array.isArray(value)) {
      if (value.length) out.required = value;
    } else if (SCHEMA_KEYWORDS.has(key) || key.startsWith('x-')) out[key] = value;
  }
  const anyOf = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (anyOf) {
    const branches = anyOf.map(downgrade).filter((b) => {
      const isNull = b['x-nullable'] === true && b.type === undefined && b.enum === undefined && b.properties === undefined;
      nullable ||= isNull || b['x-nullable'] === true;
      return !isNull;
    });
    Object.assign(out, { ...merged(branches), ...out });
  }
  if (nullable) out['x-nullable'] = true;
  return out;
}

/** One schema for the branches of an `anyOf`, or one of any type that names them. */
function merged(branches: Schema[]): Schema {
  if (branches.length === 1) return withoutNullable(branches[0]!);
  const types = new Set(branches.map((b) => b.type));
  const type = types.size === 1 ? [...types][0] : undefined;
  if (type !== undefined && branches.every((b) => Array.isArray(b.enum))) return { type, enum: [...new Set(branches.flatMap((b) => b.enum as unknown[]))] };
  if (type === 'object') {
    const properties: Record<string, unknown> = {};
    for (const b of branches) Object.assign(properties, b.properties);
    const required = (branches[0]!.required as string[] | undefined)?.filter((name) =>
      branches.every((b) => (b.required as string[] | undefined)?.includes(name)),
    );
    return { type: 'object', properties, ...(required?.length && { required }) };
  }
  const names = branches.map((b) => String(b.title ?? b.type ?? 'any'));
  return { description: `One of: ${names.join(', ')}` };
}

function withoutNullable(schema: Schema): Schema {
  const { 'x-nullable': _, ...rest } = schema;
  return rest;
}

/** A path, query, header or form parameter: its schema's keywords inline, as Swagger 2.0 has them. */
function parameterOf(p: { in: string; name: string; required?: boolean | undefined; description?: string | undefined; schema?: Schema | undefined }): Schema {
  const schema = downgrade(p.schema);
  const out: Schema = { name: p.name, in: p.in, required: p.in === 'path' || p.required === true };
  const description = p.description ?? schema.description;
  if (description !== undefined) out.description = description;
  for (const key of PARAMETER_KEYWORDS) if (schema[key] !== undefined) out[key] = schema[key];
  // An object (or a schema of any type) is sent as text.
  if (out.type === undefined || out.type === 'object') out.type = 'string';
  if (out.type === 'array') {
    out.items = itemsOf(isObject(out.items) ? out.items : {});
    out.collectionFormat = 'multi';
  }
  return out;
}

/** The items of an array parameter: their schema's keywords that an Items Object takes, at any depth. */
function itemsOf(schema: Schema): Schema {
  const out: Schema = { type: 'string' };
  for (const key of ITEMS_KEYWORDS) if (schema[key] !== undefined) out[key] = key === 'items' && isObject(schema.items) ? itemsOf(schema.items) : schema[key];
  if (out.type === 'object') out.type = 'string';
  return out;
}

/** Form fields of a form-encoded body. */
function formParameters(schema: Schema): Schema[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).map(([name, s]) => parameterOf({ name, in: 'formData', required: required.includes(name), schema: s as Schema }));
}

function operationOf(op: OpenApiOperation): Schema {
  const parameters = (op.parameters ?? []).filter((p) => p.in !== 'cookie').map(parameterOf);
  const out: Schema = {};
  if (op.tags) out.tags = op.tags;
  if (op.summary) out.summary = op.summary;
  if (op.description) out.description = op.description;
  if (op.security) out.security = op.security;
  const body = op.requestBody;
  if (body) {
    const types = Object.keys(body.content);
    out.consumes = types;
    const json = body.content['application/json'];
    if (json) parameters.push({ name: 'body', in: 'body', required: body.required === true, schema: downgrade(json.schema) });
    else parameters.push(...formParameters(downgrade(body.content[types[0]!]?.schema)));
  }
  if (parameters.length) out.parameters = parameters;
  const produces = new Set<string>();
  const responses: Record<string, Schema> = {};
  const errors: string[] = [];
  for (const [code, answer] of Object.entries(op.responses)) {
    const types = Object.keys(answer.content ?? {});
    for (const t of types) produces.add(t);
    const schema = answer.content?.['application/json']?.schema ?? answer.content?.[types[0]!]?.schema;
    const response: Schema = { description: answer.description, ...(schema !== undefined && { schema: downgrade(schema) }) };
    // `4XX` and `5XX` are OpenAPI 3's; in Swagger 2.0 they are the default answer.
    if (/^\d{3}$/.test(code)) responses[code] = response;
    else if (!responses.default) {
      errors.push(code);
      responses.default = response;
    } else errors.push(code);
  }
  if (responses.default) responses.default.description = `An error (${errors.join(', ')}): ${String(responses.default.description)}`;
  out.produces = [...produces];
  out.responses = responses;
  return out;
}

export interface Swagger2Options {
  /** The API's root; paths outside it are left out. */
  basePath: string;
  host: string;
  title: string;
  /** Which paths (relative to `basePath`, as `/instances/{id}`) the document keeps. */
  keep: (path: string) => boolean;
}

export function swagger2Of(openapi: OpenApiDocument, options: Swagger2Options): Schema {
  const paths: Record<string, Schema> = {};
  const tags = new Set<string>();
  for (const [path, operations] of Object.entries(openapi.paths)) {
    if (!path.startsWith(`${options.basePath}/`)) continue;
    const relative = path.slice(options.basePath.length);
    if (!options.keep(relative)) continue;
    const item: Schema = {};
    for (const [method, op] of Object.entries(operations)) {
      item[method] = operationOf(op);
      for (const tag of op.tags ?? []) tags.add(tag);
    }
    paths[relative] = item;
  }
  return {
    swagger: '2.0',
    info: { title: options.title, ...(openapi.info.description && { description: openapi.info.description }), version: openapi.info.version },
    host: options.host,
    basePath: options.basePath,
    schemes: ['http', 'https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    securityDefinitions: openapi.components?.securitySchemes ?? {},
    ...(openapi.security && { security: openapi.security }),
    tags: [...tags].map((name) => ({ name })),
    paths,
    definitions: {},
  };
}

/** The resources of the platform API: the first segment of each path under `basePath`. */
export function platformResources(openapi: OpenApiDocument, basePath: string, exclude: ReadonlySet<string>): string[] {
  const resources = new Set<string>();
  for (const path of Object.keys(openapi.paths)) {
    if (!path.startsWith(`${basePath}/`)) continue;
    const first = path.slice(basePath.length + 1).split('/')[0]!;
    if (first && !first.startsWith('{') && !exclude.has(first)) resources.add(first);
  }
  return [...resources].sort();
}

/** Swagger 2.0 documents of the platform's resources, each made once. */
export interface PlatformDocuments {
  /** Resources that have a document, besides `all`. */
  resources(): string[];
  /** Swagger 2.0 of one resource, or of every path (`all`); undefined for any other name. */
  document(name: string, host: string): Schema | undefined;
}

/**
 * `openapi` gives the platform's OpenAPI document (complete once the server is ready); `hubPaths`
 * are first segments that belong to hubs, documented by the hubs' own documents.
 */
export function platformDocuments(openapi: () => OpenApiDocument, basePath: string, hubPaths: ReadonlySet<string>): PlatformDocuments {
  const made = new Map<string, Schema>();
  // Asked for only once the server is ready, when the document lists every route.
  let names: string[] | undefined;
  const resources = () => {
    names ??= platformResources(openapi(), basePath, hubPaths);
    return names;
  };
  return {
    resources: () => [...resources()],
    document(name, host) {
      let document = made.get(name);
      if (document === undefined) {
        if (name !== 'all' && !resources().includes(name)) return undefined;
        const title = name === 'all' ? openapi().info.title : `${openapi().info.title}: ${name}`;
        const keep = name === 'all' ? () => true : (path: string) => path === `/${name}` || path.startsWith(`/${name}/`);
        document = swagger2Of(openapi(), { basePath, host: '', title, keep });
        made.set(name, document);
      }
      return { ...document, host };
    },
  };
}

import type { HubOperation, ObjectField } from './hub-contract.ts';

/** What a Swagger document says of an operation. */
export type DocumentedOperation = Pick<HubOperation, 'method' | 'path' | 'list' | 'upload'>;

const SWAGGER_TYPES: Record<string, { type: string; format?: string }> = {
  string: { type: 'string' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date-time' },
  array: { type: 'array' },
  object: { type: 'object' },
};

interface SwaggerModel {
  type?: string;
  properties?: Record<string, SwaggerModel>;
  [keyword: string]: unknown;
}

/** Object metadata fields (`fields.summary`, …) as a nested Swagger model. */
export function modelFromFields(fields: ObjectField[]): Record<string, unknown> {
  // Property maps without a prototype: a vendor's field names are data, `__proto__` included.
  const properties = (): Record<string, SwaggerModel> => Object.create(null);
  const root: SwaggerModel = { type: 'object', properties: properties() };
  for (const f of fields) {
    const parts = f.vendorPath.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node.properties ??= properties();
      const child = node.properties[p] ?? {};
      // A field with fields below it is an object, whatever it was declared as.
      child.type = 'object';
      child.properties ??= properties();
      node.properties[p] = child;
      node = child;
    }
    const t = (Object.hasOwn(SWAGGER_TYPES, f.type) ? SWAGGER_TYPES[f.type] : undefined) ?? { type: 'object' };
    node.properties ??= properties();
    node.properties[parts.at(-1)!] = {
      ...t,
      ...(t.type === 'array' && { items: { type: 'object' } }),
      description: f.vendorDisplayName,
      'x-vendor-native-type': f.vendorNativeType,
      ...(f.vendorReadOnly && { readOnly: true }),
    };
  }
  return root;
}

const resourceOf = (path: string) => path.split('/')[0]!;

/**
 * Swagger 2.0 of a hub's operations (open-connectors-api.md §3.7): those of the hub itself, of
 * one element, or of an instance. Every operation has its parameters; the models in
 * `definitions` for an instance come from its own vendor (custom fields included).
 */
export function buildHubDocs(
  about: { hub: string; description: string },
  operations: readonly DocumentedOperation[],
  host: string,
  models: Record<string, Record<string, unknown>>,
  title: string,
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const resource = resourceOf(op.path);
    const swaggerPath = `/${op.path.replace(/:(\w+)/g, '{$1}')}`;
    const params: unknown[] = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, type: 'string' }));
    if (op.list) {
      params.push(
        { name: 'where', in: 'query', type: 'string', description: 'CEQL condition' },
        { name: 'orderBy', in: 'query', type: 'string' },
        { name: 'page', in: 'query', type: 'integer' },
        { name: 'pageSize', in: 'query', type: 'integer' },
        { name: 'nextPage', in: 'query', type: 'string' },
      );
    }
    const model = models[resource] ? { $ref: `#/definitions/${resource}` } : { type: 'object' };
    if (op.upload) params.push({ name: 'file', in: 'formData', type: 'file', required: true });
    else if (['POST', 'PUT', 'PATCH'].includes(op.method)) params.push({ name: 'body', in: 'body', required: true, schema: model });
    paths[swaggerPath] ??= {};
    paths[swaggerPath]![op.method.toLowerCase()] = {
      tags: [resource],
      operationId: `${op.method.toLowerCase()}${op.path
        .split('/')
        .map((s) => (s.startsWith(':') ? 'ById' : s.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())))
        .join('')}`,
      summary: `${op.method} /${op.path}`,
      ...(op.upload && { consumes: ['multipart/form-data'] }),
      parameters: [
        {
          name: 'Authorization',
          in: 'header',
          required: true,
          type: 'string',
          description: 'User <user secret>, Organization <organization secret>, Element <token>',
        },
        ...params,
      ],
      responses: {
        200: { description: 'OK', schema: op.list ? { type: 'array', items: model } : model },
        400: { description: 'Bad request' },
        401: { description: 'Unauthorized' },
        404: { description: 'Not found' },
      },
    };
  }
  return {
    swagger: '2.0',
    info: { title, version: '1.0', description: about.description },
    host,
    basePath: `/elements/api-v2/hubs/${about.hub}`,
    schemes: [host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    tags: [...new Set(operations.map((o) => resourceOf(o.path)))].map((name) => ({ name })),
    paths,
    definitions: models,
  };
}

import { describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { downgrade, type OpenApiDocument, platformDocuments, swagger2Of } from '../../src/platform/http/swagger2-document.ts';

describe('a JSON Schema said in Swagger 2.0', () => {
  it('turns null types, const and nullable enums into x-nullable and enums', () => {
    expect(downgrade({ type: ['string', 'null'], maxLength: 5 })).toEqual({ type: 'string', maxLength: 5, 'x-nullable': true });
    expect(downgrade({ const: 'a' })).toEqual({ enum: ['a'] });
    expect(downgrade({ type: 'string', enum: ['a', null] })).toEqual({ type: 'string', enum: ['a'], 'x-nullable': true });
    expect(downgrade({ anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] })).toEqual({ type: 'integer', minimum: 1, 'x-nullable': true });
  });

  it('makes one enum of an anyOf of enums, and one object of an anyOf of objects', () => {
    expect(
      downgrade({
        anyOf: [
          { type: 'string', const: 'asc' },
          { type: 'string', enum: ['desc', 'asc'] },
        ],
      }),
    ).toEqual({ type: 'string', enum: ['asc', 'desc'] });
    const objects = downgrade({
      description: 'by key or by id',
      anyOf: [
        { type: 'object', required: ['key', 'name'], properties: { key: { type: 'string' }, name: { type: 'string' } } },
        { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
      ],
    });
    expect(objects).toEqual({
      description: 'by key or by id',
      type: 'object',
      required: ['name'],
      properties: { key: { type: 'string' }, name: { type: 'string' }, id: { type: 'integer' } },
    });
  });

  it('names the branches of an anyOf it cannot merge, and keeps what the schema says beside it', () => {
    expect(downgrade({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual({ description: 'One of: string, integer' });
    expect(downgrade({ title: 'Id', description: 'mine', anyOf: [{ type: 'string', title: 'Key' }, { type: 'integer' }] })).toEqual({
      title: 'Id',
      description: 'mine',
    });
  });

  it('drops what Swagger 2.0 has no word for, in nested schemas too', () => {
    expect(
      downgrade({
        $id: 'x',
        type: 'object',
        required: [],
        examples: [{}],
        properties: { list: { type: 'array', items: [{ type: 'string', const: 'a' }], prefixItems: [] } },
        additionalProperties: { type: ['number', 'null'] },
      }),
    ).toEqual({
      type: 'object',
      properties: { list: { type: 'array', items: { enum: ['a'], type: 'string' } } },
      additionalProperties: { type: 'number', 'x-nullable': true },
    });
    expect(downgrade(undefined)).toEqual({});
  });
});

const openapi: OpenApiDocument = {
  info: { title: 'API', version: '1.0.0' },
  components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
  security: [{ key: [] }],
  paths: {
    '/root/things/{id}': {
      get: {
        tags: ['things'],
        parameters: [
          { in: 'path', name: 'id', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
          // A description or title of the items has no place in Swagger 2.0's Items Object.
          { in: 'query', name: 'tags', schema: { type: 'array', items: { type: 'string', maxLength: 9, description: 'a tag', title: 'Tag' }, maxItems: 3 } },
          { in: 'query', name: 'filter', schema: { type: 'object' } },
          { in: 'header', name: 'x-key', required: true, schema: { type: 'string' }, description: 'a header' },
          { in: 'cookie', name: 'session', schema: { type: 'string' } },
        ],
        responses: {
          200: {
            description: 'a thing',
            content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' } } } }, 'text/csv': {} },
          },
          '4XX': {
            description: 'refused',
            content: { 'application/json': { schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } } },
          },
          '5XX': { description: 'failed', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
      patch: {
        tags: ['things'],
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { name: { type: ['string', 'null'] } } } } } },
        responses: { 204: { description: 'changed' } },
      },
    },
    '/root/login': {
      post: {
        tags: ['login'],
        security: [],
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': {
              schema: { type: 'object', required: ['user'], properties: { user: { type: 'string' }, remember: { type: 'boolean' } } },
            },
          },
        },
        responses: { 302: { description: 'signed in' } },
      },
    },
    '/elsewhere': { get: { responses: { 200: { description: 'outside the root' } } } },
  },
};

describe('the Swagger 2.0 document of OpenAPI routes', () => {
  it('is valid Swagger 2.0, with parameters inline, bodies as body or form parameters and errors as the default answer', async () => {
    const doc = swagger2Of(openapi, { basePath: '/root', host: 'example.com', title: 'API', keep: () => true });
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(doc.paths as object)).toEqual(['/things/{id}', '/login']);
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    const get = paths['/things/{id}']!.get!;
    expect(get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, type: 'string', pattern: '^[0-9]+$' },
      { name: 'tags', in: 'query', required: false, type: 'array', items: { type: 'string', maxLength: 9 }, maxItems: 3, collectionFormat: 'multi' },
      { name: 'filter', in: 'query', required: false, type: 'string' },
      { name: 'x-key', in: 'header', required: true, type: 'string', description: 'a header' },
    ]);
    expect(get.produces).toEqual(['application/json', 'text/csv']);
    expect(get.responses).toEqual({
      200: { description: 'a thing', schema: { type: 'object', properties: { id: { type: 'integer' } } } },
      default: { description: 'An error (4XX, 5XX): refused', schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } },
    });
    expect(paths['/things/{id}']!.patch!.parameters).toContainEqual({
      name: 'body',
      in: 'body',
      required: true,
      schema: { type: 'object', properties: { name: { type: 'string', 'x-nullable': true } } },
    });
    expect(paths['/login']!.post).toMatchObject({
      security: [],
      consumes: ['application/x-www-form-urlencoded'],
      parameters: [
        { name: 'user', in: 'formData', required: true, type: 'string' },
        { name: 'remember', in: 'formData', required: false, type: 'boolean' },
      ],
    });
  });

  it('has a document per resource and one of everything, and none for other names', () => {
    const documents = platformDocuments(() => openapi, '/root', new Set(['login']));
    expect(documents.resources()).toEqual(['things']);
    expect(Object.keys(documents.document('things', 'a:1')!.paths as object)).toEqual(['/things/{id}']);
    expect(documents.document('things', 'b:2')).toMatchObject({ host: 'b:2', info: { title: 'API: things' } });
    expect(Object.keys(documents.document('all', 'a:1')!.paths as object)).toEqual(['/things/{id}', '/login']);
    expect(documents.document('login', 'a:1')).toBeUndefined();
    expect(documents.document('__proto__', 'a:1')).toBeUndefined();
  });
});

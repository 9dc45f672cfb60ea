import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { trimOpenApi } from '../contracts/jira/trim-openapi.ts';

describe('the trimmed Jira contract', () => {
  it('keeps paths, methods, status codes and the response schemas they reach, and drops the rest', () => {
    const doc = {
      openapi: '3.0.1',
      info: { title: 'Jira', version: '10.3.24', description: 'long text' },
      paths: {
        '/api/2/thing/{id}': {
          parameters: [{ name: 'id' }],
          get: {
            description: 'reads',
            parameters: [{ name: 'expand' }],
            responses: {
              200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
              404: { description: 'no' },
            },
          },
          put: { requestBody: { content: {} }, responses: { 204: { description: 'done' } } },
        },
      },
      components: {
        schemas: {
          Thing: {
            type: 'object',
            description: 'a thing',
            properties: { description: { type: 'string', example: 'x' }, owner: { $ref: '#/components/schemas/User' } },
            xml: { name: 't' },
          },
          User: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: { type: 'string', example: 'y' } },
          Unused: { type: 'object' },
        },
      },
    };
    const trimmed = trimOpenApi(doc, JSON.stringify(doc));
    expect(trimmed).toMatchObject({ openapi: '3.0.1', info: { title: 'Jira', version: '10.3.24' } });
    expect(trimmed.paths).toEqual({
      '/api/2/thing/{id}': {
        get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } }, 404: {} } },
        put: { responses: { 204: {} } },
      },
    });
    // A property named like a keyword ("description") is a property, and stays.
    expect(trimmed.components).toEqual({
      schemas: {
        Thing: { type: 'object', properties: { description: { type: 'string' }, owner: { $ref: '#/components/schemas/User' } } },
        User: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: { type: 'string' } },
      },
    });
  });

  it('is committed with the version and hash of the document it was made from', () => {
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, '../contracts/jira/jira-dc-openapi.trimmed.json'), 'utf8'));
    expect(committed.info.version).toMatch(/^10\.3\.\d+$/);
    expect(committed['x-trimmed-from'].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(committed.paths).length).toBeGreaterThan(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

/** `/instances/:id` → `/instances/{id}`, as OpenAPI writes paths. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the API document', () => {
  it('is valid OpenAPI 3.1, served without credentials', async () => {
    const res = await call(`${server.api}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(res.body));
  });

  it("lists every route the server registers, and only the console's files are left out", async () => {
    const doc = (await call(`${server.api}/openapi.json`)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const routes = server.app.routeTable;
    expect(routes.length).toBeGreaterThan(100);
    const missing = routes.filter((r) => !r.hidden && !documented.has(`${r.method} ${openApiPath(r.url)}`)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    const hidden = routes.filter((r) => r.hidden).map((r) => r.url);
    expect(hidden.every((url) => !url.startsWith('/elements'))).toBe(true);
    // Nothing is documented that the server does not route.
    const routed = new Set(routes.map((r) => `${r.method} ${openApiPath(r.url)}`));
    expect([...documented].filter((d) => !routed.has(d))).toEqual([]);
  });

  it('declares params, query, body and answers (the error body included) for every route', () => {
    const problems: string[] = [];
    for (const r of server.app.routeTable.filter((x) => !x.hidden)) {
      const s = (r.schema ?? {}) as { params?: unknown; querystring?: unknown; body?: unknown; response?: Record<string, unknown>; consumes?: string[] };
      const name = `${r.method} ${r.url}`;
      if (r.url.includes(':') && !s.params) problems.push(`${name}: no params schema`);
      if (!s.querystring) problems.push(`${name}: no querystring schema`);
      if (r.method === 'PATCH' && !s.body) problems.push(`${name}: no body schema`);
      const codes = Object.keys(s.response ?? {});
      if (!codes.some((c) => c.startsWith('2'))) problems.push(`${name}: no success answer`);
      if (!codes.includes('4xx') || !codes.includes('5xx')) problems.push(`${name}: no error body`);
    }
    expect(problems).toEqual([]);
  });
});

describe('requests that do not fit their schema', () => {
  it('are 4xx with the error body naming the field and what was expected, never 500', async () => {
    const h = { authorization: server.auth };
    const odd = await call(`${server.api}/instances`, { method: 'POST', headers: h, json: { element: { key: { toString: 1 } }, name: 'x' } });
    expect(odd.status).toBe(400);
    expect(odd.body).toEqual({ requestId: expect.any(String), message: 'Invalid request: body/element/key must be string' });
    const number = await call(`${server.api}/accounts`, { method: 'POST', headers: h, json: { externalId: 42 } });
    expect(number.status).toBe(400);
    expect(number.body.message).toBe('Invalid request: body/externalId must be string');
    const query = await call(`${server.api}/instances?pageSize=abc`, { headers: h });
    expect(query.status).toBe(400);
    expect(query.body.message).toMatch(/querystring\/pageSize must match pattern/);
    // A member that a body's schema refuses is named back.
    const unknownMember = await call(`${server.api}/organizations/objects/definitions`, {
      method: 'POST',
      headers: h,
      json: { 'my/ticket': { fields: [{ path: 'id', type: 'string' }] } },
    });
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.message).toBe('Invalid request: body must NOT have additional properties: "my/ticket"');

    const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'odd' });
    const hub = { authorization: `${server.auth}, Element ${created.token}` };
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const res = await call(`${server.api}/hubs/helpdesk/objects/${name}/metadata`, { headers: hub });
      expect(res.status, name).toBe(404);
    }
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    for (const url of [`${server.api}/instances`, `${server.api}/hubs/helpdesk/incidents`]) {
      const res = await fetch(url, { method: 'POST', headers: { ...hub, 'content-type': 'application/json' }, body: deep });
      expect(res.status, url).toBe(400);
      expect((await res.json()).message).toMatch(/more than 100 levels deep/);
    }
    const proto = await fetch(`${server.api}/accounts`, {
      method: 'POST',
      headers: { ...h, 'content-type': 'application/json' },
      body: '{"externalId":"x","__proto__":{"admin":true}}',
    });
    expect(proto.status).toBe(400);
  });
});

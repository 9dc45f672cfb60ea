import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'docs' });
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('API documents', () => {
  it('GET /instances/{id}/docs is valid Swagger 2.0 with the Jira custom fields and their types', async () => {
    await jira.jira.post('/rest/api/2/field', { name: 'Docs Field', type: 'com.atlassian.jira.plugin.system.customfieldtypes:float' });
    const res = await call(`${server.api}/instances/${instance.id}/docs`, { headers: { authorization: server.auth } });
    expect(res.status).toBe(200);
    for (const k of ['swagger', 'info', 'host', 'basePath', 'tags', 'paths', 'definitions']) expect(res.body).toHaveProperty(k);
    await SwaggerParser.validate(structuredClone(res.body));
    const fields = res.body.definitions.incidents.properties.fields.properties;
    expect(fields.customfield_10102).toMatchObject({ type: 'number', description: 'Story Points' });
    expect(fields.customfield_10100).toMatchObject({ type: 'object', description: 'Severity' });
    expect(fields.customfield_10103).toMatchObject({ type: 'string', format: 'date-time', description: 'Target Date' });
    expect(Object.values(fields).some((f: any) => f.description === 'Docs Field' && f.type === 'number')).toBe(true);
    expect(res.body.paths['/incidents'].get.responses[200].schema.items.$ref).toBe('#/definitions/incidents');
    expect(res.body.paths['/incidents/{id}/comments/{commentId}']).toHaveProperty('patch');
  });

  it('GET /instances/docs works with the token; /elements/{keyOrId}/docs is valid too', async () => {
    const viaToken = await call(`${server.api}/instances/docs`, { headers: { authorization: `${server.auth}, Element ${instance.token}` } });
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.info.title).toMatch(/docs/);
    const element = await call(`${server.api}/elements/jiraonprem/docs`);
    await SwaggerParser.validate(structuredClone(element.body));
    expect((await call(`${server.api}/elements/nope/docs`)).status).toBe(404);
    expect((await call(`${server.api}/instances/999999/docs`, { headers: { authorization: server.auth } })).status).toBe(404);
  });

  it('GET /docs/{hub} is valid Swagger 2.0 of every operation of the hub, with or without credentials', async () => {
    for (const headers of [{}, { authorization: server.auth }] as Record<string, string>[]) {
      const res = await call(`${server.api}/docs/helpdesk`, { headers });
      expect(res.status).toBe(200);
      await SwaggerParser.validate(structuredClone(res.body));
      expect(res.body).toMatchObject({ swagger: '2.0', basePath: '/elements/api-v2/hubs/helpdesk', info: { title: 'Help Desk' } });
      // The hub's own operations, element or no element: Jira's element serves them all but none more.
      const element = (await call(`${server.api}/elements/jiraonprem/docs`)).body;
      const operations = (doc: { paths: Record<string, Record<string, unknown>> }) =>
        Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.keys(byMethod).map((m) => `${m} ${path}`));
      expect(operations(element).every((op) => operations(res.body).includes(op))).toBe(true);
      expect(res.body.paths['/incidents'].get.parameters.map((p: { name: string }) => p.name)).toContain('nextPage');
      expect(res.body.paths['/incidents/{id}/attachments'].post).toMatchObject({
        consumes: ['multipart/form-data'],
        parameters: expect.arrayContaining([{ name: 'file', in: 'formData', type: 'file', required: true }]),
      });
    }
    const unknown = await call(`${server.api}/docs/crm`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('helpdesk');
  });

  it('GET /docs/{resource} and /docs/all are valid Swagger 2.0 of the platform API, each route once', async () => {
    const unknown = await call(`${server.api}/docs/nothing`);
    expect(unknown.status).toBe(404);
    const names = unknown.body.message.split('documents of: ')[1].split(', ') as string[];
    expect(names).toEqual(expect.arrayContaining(['helpdesk', 'instances', 'usage', 'elements', 'all']));
    // Hub resources served bare belong to the hub's document.
    expect(names).not.toContain('incidents');
    const operations = (doc: { paths: Record<string, Record<string, unknown>> }) =>
      Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.keys(byMethod).map((m) => `${m.toUpperCase()} ${path}`));
    const byResource: string[] = [];
    for (const name of names.filter((n) => n !== 'helpdesk' && n !== 'all')) {
      const res = await call(`${server.api}/docs/${name}`);
      expect(res.status, name).toBe(200);
      await SwaggerParser.validate(structuredClone(res.body));
      expect(res.body).toMatchObject({ swagger: '2.0', basePath: '/elements/api-v2', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(Object.keys(res.body.paths).every((p) => p === `/${name}` || p.startsWith(`/${name}/`))).toBe(true);
      byResource.push(...operations(res.body));
    }
    const all = await call(`${server.api}/docs/all`, { headers: { authorization: server.auth } });
    expect(all.status).toBe(200);
    await SwaggerParser.validate(structuredClone(all.body));
    // Every route the server registers under the API root, and nothing else.
    const routed = server.app.routeTable
      .filter((r) => !r.hidden && r.url.startsWith('/elements/api-v2/'))
      .map((r) => `${r.method} ${r.url.slice('/elements/api-v2'.length).replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(operations(all.body).sort()).toEqual([...new Set(routed)].sort());
    // The resources' documents split the platform's routes: none twice, none left out but the hubs'.
    expect(new Set(byResource).size).toBe(byResource.length);
    const hubRoutes = operations(all.body).filter((op) => !byResource.includes(op));
    expect(hubRoutes.length).toBeGreaterThan(0);
    expect(
      hubRoutes.every((op) =>
        /^[A-Z]+ \/(hubs|incidents|agents|contacts|priorities|statuses|incident-types|projects|fields|attachments|objects|ping)\b/.test(op),
      ),
    ).toBe(true);

    // What Swagger 2.0 cannot say of a schema is said as near as it can.
    const instances = (await call(`${server.api}/docs/instances`)).body;
    const list = instances.paths['/instances'].get;
    expect(list.parameters).toContainEqual(
      expect.objectContaining({ name: 'tags[]', in: 'query', type: 'array', collectionFormat: 'multi', items: expect.objectContaining({ type: 'string' }) }),
    );
    const patch = instances.paths['/instances/{id}'].patch;
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true, type: 'string' }));
    expect(patch.parameters).toContainEqual(
      expect.objectContaining({ name: 'body', in: 'body', required: true, schema: expect.objectContaining({ type: 'object' }) }),
    );
    expect(patch.responses.default).toMatchObject({
      description: expect.stringContaining('4XX, 5XX'),
      schema: { type: 'object', required: ['requestId', 'message'] },
    });
    // Answers other than JSON keep their media types.
    expect(all.body.paths['/hubs/{hub}/bulk/{id}/{objectName}'].get.produces).toEqual(
      expect.arrayContaining(['application/json', 'text/csv', 'application/x-ndjson']),
    );
  });

  it('GET /instances/{id}/docs/{operationId}/definitions gives the models of one operation', async () => {
    const h = { authorization: server.auth };
    const docs = (await call(`${server.api}/instances/${instance.id}/docs`, { headers: h })).body;
    const update = await call(`${server.api}/instances/${instance.id}/docs/${docs.paths['/incidents/{id}'].patch.operationId}/definitions`, { headers: h });
    expect(update.status).toBe(200);
    expect(Object.keys(update.body)).toEqual(['incidents']);
    expect(update.body.incidents).toEqual(docs.definitions.incidents);
    // An operation without a model of its own has none; an unknown one is not found.
    const ping = docs.paths['/ping'].get.operationId;
    expect((await call(`${server.api}/instances/${instance.id}/docs/${ping}/definitions`, { headers: h })).body).toEqual({});
    const unknown = await call(`${server.api}/instances/${instance.id}/docs/noSuchOperation/definitions`, { headers: h });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/noSuchOperation/);
  });
});

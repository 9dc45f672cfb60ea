import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { assertContract } from '../helpers/contracts.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('element catalog', () => {
  it('lists elements and keys, with or without platform secrets', async () => {
    const anonymous = await call(`${server.api}/elements`);
    expect(anonymous.status).toBe(200);
    assertContract('elements', anonymous.body);
    const withAuth = await call(`${server.api}/elements`, { headers: { authorization: server.auth } });
    expect(withAuth.body).toEqual(anonymous.body);
    const keys = await call(`${server.api}/elements/keys`);
    expect(keys.body).toEqual(['jiraonprem', 'redmine']);
  });

  it('answers every element, its metadata plain and expanded, and its configuration by the contract schemas', async () => {
    for (const key of ['jiraonprem', 'redmine']) {
      const element = await call(`${server.api}/elements/${key}`);
      assertContract('element', element.body);
      assertContract('elementMetadata', (await call(`${server.api}/elements/${key}/metadata`)).body);
      const expanded = (await call(`${server.api}/elements/${key}/metadata?expand=true`)).body;
      assertContract('elementMetadataExpanded', expanded);
      // Every advertised operation is routed, for each element.
      const routed = new Set(server.app.routeTable.map((r) => `${r.method} ${r.url}`));
      for (const r of expanded.resources)
        for (const op of r.operations)
          expect(
            routed.has(`${op} /elements/api-v2/hubs/:hub/${r.canonicalName}`) ||
              [...routed].some((x) => x.startsWith(`${op} /elements/api-v2/hubs/:hub/${r.canonicalName}/:`)),
            `${key}: ${op} ${r.canonicalName}`,
          ).toBe(true);
    }
    const redmine = (await call(`${server.api}/elements/redmine/metadata`)).body;
    expect(redmine.events).toEqual({ supported: true, methods: ['polling'] });
  });

  it("answers every element's metadata in one list, plain and expanded, each as its own call answers it", async () => {
    for (const query of ['', '?expand=true']) {
      const all = await call(`${server.api}/elements/metadata${query}`);
      expect(all.status).toBe(200);
      expect(all.body.map((m: { key: string }) => m.key)).toEqual(['jiraonprem', 'redmine']);
      for (const one of all.body) {
        assertContract(query ? 'elementMetadataExpanded' : 'elementMetadata', one);
        expect(one).toEqual((await call(`${server.api}/elements/${one.key}/metadata${query}`)).body);
      }
    }
  });

  it('serves jiraonprem by key and by numeric id with every field of the Open Connectors example', async () => {
    const byKey = await call(`${server.api}/elements/jiraonprem`, { headers: { authorization: server.auth } });
    expect(byKey.status).toBe(200);
    assertContract('element', byKey.body);
    const byId = await call(`${server.api}/elements/${byKey.body.id}`);
    expect(byId.body).toEqual(byKey.body);
    for (const field of [
      'id',
      'name',
      'hookName',
      'key',
      'description',
      'image',
      'active',
      'deleted',
      'typeOauth',
      'trialAccount',
      'configDescription',
      'signupURL',
      'defaultTransformations',
      'transformationsEnabled',
      'bulkDownloadEnabled',
      'bulkUploadEnabled',
      'cloneable',
      'extendable',
      'beta',
      'authentication',
      'extended',
      'hub',
      'protocolType',
      'parameters',
      'private',
    ]) {
      expect(byKey.body, field).toHaveProperty(field);
    }
    expect(byKey.body).toMatchObject({
      name: 'Jira On Prem',
      key: 'jiraonprem',
      hub: 'helpdesk',
      protocolType: 'rest',
      authentication: { type: 'basic' },
      typeOauth: false,
      active: true,
      deleted: false,
      // POST /elements/{key}/clone and the element builder do not answer, so neither is claimed.
      cloneable: false,
      extendable: false,
    });
  });

  it('exposes the configuration definitions clients read, with string defaults', async () => {
    const res = await call(`${server.api}/elements/jiraonprem/configuration`);
    expect(res.status).toBe(200);
    for (const entry of res.body) assertContract('elementConfiguration', entry);
    const byKey = Object.fromEntries(res.body.map((c: any) => [c.key, c]));
    expect(byKey.username).toMatchObject({ type: 'TEXTFIELD_128', required: true });
    expect(byKey.password).toMatchObject({ type: 'PASSWORD', required: true });
    expect(byKey.siteAddress).toMatchObject({ type: 'TEXTFIELD_1000', required: true });
    expect(byKey['event.notification.enabled']).toMatchObject({ type: 'BOOLEAN', defaultValue: 'false' });
    expect(byKey['event.vendor.type']).toMatchObject({ defaultValue: 'polling' });
    expect(byKey['event.notification.signature.key']).toMatchObject({ type: 'PASSWORD' });
    expect(byKey['event.poller.refresh_interval']).toMatchObject({ defaultValue: '15' });
    expect(JSON.parse(byKey['event.poller.configuration'].defaultValue)).toHaveProperty('incidents.idField', 'id');
    expect(JSON.parse(byKey['event.metadata'].defaultValue)).toEqual({ event: { polling: { incidents: {} }, webhook: { incidents: {} } } });
    expect(byKey['filter.response.nulls']).toMatchObject({ type: 'BOOLEAN', defaultValue: 'true' });
    for (const c of res.body) expect(typeof c.id).toBe('number');
    expect(new Set(res.body.map((c: any) => c.id)).size).toBe(res.body.length);
  });

  it('answers metadata plain and expanded according to the contract schemas', async () => {
    const plain = await call(`${server.api}/elements/jiraonprem/metadata`);
    assertContract('elementMetadata', plain.body);
    expect(plain.body.events).toEqual({ supported: true, methods: ['polling', 'webhook'] });
    const expanded = await call(`${server.api}/elements/jiraonprem/metadata?expand=true`);
    assertContract('elementMetadataExpanded', expanded.body);
    expect(expanded.body).toMatchObject({
      authenticationType: 'basic',
      hub: 'helpdesk',
      api: { type: 'REST', contentType: 'application/json' },
      cloneable: false,
    });
    expect(expanded.body.resources.map((r: any) => r.canonicalName)).toContain('incidents');
    // Derived from the routes the element registers: every advertised operation is routed.
    const routed = new Set(server.app.routeTable.map((r) => `${r.method} ${r.url}`));
    for (const r of expanded.body.resources) {
      for (const op of r.operations) {
        const served =
          routed.has(`${op} /elements/api-v2/hubs/:hub/${r.canonicalName}`) ||
          [...routed].some((x) => x.startsWith(`${op} /elements/api-v2/hubs/:hub/${r.canonicalName}/:`) && x.split('/').length === 7);
        expect(served, `${op} ${r.canonicalName}`).toBe(true);
      }
    }
    const byName = Object.fromEntries(expanded.body.resources.map((r: any) => [r.canonicalName, r]));
    expect(byName.agents.operations).toEqual(['GET']);
    expect(byName.worklogs).toBeUndefined();
    // Bulk is offered where it answers (POST /hubs/{hub}/bulk/query and /bulk/{objectName}): incidents only.
    expect(expanded.body.resources.filter((r: any) => r.bulk.download.supported).map((r: any) => r.canonicalName)).toEqual(['incidents']);
    expect(expanded.body.resources.filter((r: any) => r.bulk.upload.supported).map((r: any) => r.canonicalName)).toEqual(['incidents']);
    expect(routed.has('POST /elements/api-v2/hubs/:hub/bulk/query')).toBe(true);
    expect(routed.has('POST /elements/api-v2/hubs/:hub/bulk/:objectName')).toBe(true);
    expect(expanded.body.bulk).toEqual({ upload: true, download: true });
    expect(expanded.body.usage).toEqual({ instanceCount: 0, customerCount: 0, traffic: 0 });
  });

  it('answers 404 with the error body for unknown elements, including huge ids and SQL-looking keys', async () => {
    for (const keyOrId of ['nope', '999999999999', "x'%20OR%20'1'='1", '1;DROP%20TABLE%20users']) {
      const res = await call(`${server.api}/elements/${keyOrId}/metadata`);
      expect(res.status, keyOrId).toBe(404);
      expect(res.body.requestId).toBe(res.headers.get('elements-request-id'));
      expect(res.body.message).toMatch(/No element found/);
    }
  });
});

describe('hub catalog', () => {
  it('lists hubs, keys, one hub and its elements', async () => {
    const list = await call(`${server.api}/hubs`);
    expect(list.body).toEqual([expect.objectContaining({ id: 14, key: 'helpdesk', name: 'Help Desk' })]);
    expect(list.body[0]).not.toHaveProperty('resources');
    const hydrated = await call(`${server.api}/hubs?hydrate=true`);
    expect(hydrated.body[0].resources.length).toBeGreaterThan(0);
    expect((await call(`${server.api}/hubs/keys`)).body).toEqual(['helpdesk']);
    const one = await call(`${server.api}/hubs/helpdesk`);
    expect(one.body).toMatchObject({ key: 'helpdesk', active: true, videoLink: '' });
    const elements = await call(`${server.api}/hubs/helpdesk/elements`);
    expect(elements.body.map((e: any) => e.key)).toEqual(['jiraonprem', 'redmine']);
    expect((await call(`${server.api}/hubs/crm`)).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { assertContract } from '../helpers/contracts.ts';
import { waitFor } from '../helpers/wait.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
const h = () => ({ authorization: server.auth });
const hub = () => ({ authorization: `${server.auth}, Element ${instance.token}` });
const send = (method: string, path: string, json?: unknown, headers = h()) =>
  call(`${server.api}${path}`, { method, headers, ...(json !== undefined && { json }) });

const definition = {
  fields: [
    { path: 'id', type: 'string' },
    { path: 'title', type: 'string' },
    { path: 'state', type: 'string' },
    { path: 'createdAt', type: 'date' },
    { path: 'tags', type: 'array' },
    { path: 'points', type: 'number' },
  ],
};
const mapping = (extra: Record<string, unknown> = {}) => ({
  vendorName: 'issue',
  fields: [
    { path: 'id', type: 'string', vendorPath: 'id' },
    { path: 'title', type: 'string', vendorPath: 'fields.summary' },
    { path: 'state', type: 'string', vendorPath: 'fields.status.name', configuration: [{ type: 'remove', properties: { toVendor: true } }] },
    {
      path: 'createdAt',
      type: 'date',
      vendorPath: 'fields.created',
      mask: 'milliseconds',
      configuration: [{ type: 'remove', properties: { toVendor: true } }],
    },
  ],
  configuration: [{ type: 'passThrough', properties: { fromVendor: false, toVendor: false } }],
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  instance = (
    await send('POST', '/instances', {
      element: { key: 'jiraonprem' },
      name: 'tx',
      configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
    })
  ).body;
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('object definitions', () => {
  it('answer 404 for an account of another organization or none, on every account-level route, and leave nothing behind', async () => {
    const ownAccount = (await send('GET', '/accounts')).body[0];
    const other = await server.services.tenancy.createOrganization({ name: 'Tx Other', adminEmail: 'tx-other@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    const before = await server.store.db
      .selectFrom('object_definitions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const accountId of [ownAccount.id, 999_999]) {
      const paths: [string, string, unknown?][] = [
        ['POST', `/accounts/${accountId}/objects/myY/definitions`, definition],
        ['PUT', `/accounts/${accountId}/objects/myY/definitions`, definition],
        ['GET', `/accounts/${accountId}/objects/myY/definitions`],
        ['DELETE', `/accounts/${accountId}/objects/myY/definitions`],
        ['POST', `/accounts/${accountId}/elements/jiraonprem/transformations/myY`, mapping()],
        ['PUT', `/accounts/${accountId}/elements/jiraonprem/transformations/myY`, mapping()],
        ['GET', `/accounts/${accountId}/elements/jiraonprem/transformations/myY`],
        ['DELETE', `/accounts/${accountId}/elements/jiraonprem/transformations/myY`],
      ];
      for (const [method, path, json] of paths) {
        const res = await send(method, path, json, asOther);
        expect([path, method, res.status]).toEqual([path, method, 404]);
      }
    }
    const after = await server.store.db
      .selectFrom('object_definitions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('are created, read, replaced and listed at organization, account and instance level', async () => {
    const created = await send('POST', '/organizations/objects/myTicket/definitions', definition);
    expect(created.status).toBe(200);
    assertContract('objectDefinition', created.body);
    expect(created.body.level).toBe('organization');
    expect((await send('POST', '/organizations/objects/myTicket/definitions', definition)).status).toBe(409);
    expect(
      (await send('PUT', '/organizations/objects/myTicket/definitions', { fields: [...definition.fields, { path: 'extra', type: 'string' }] })).body.fields,
    ).toHaveLength(7);
    const account = (await send('GET', '/accounts')).body[0];
    expect((await send('POST', `/accounts/${account.id}/objects/acct/definitions`, definition)).body.level).toBe('account');
    expect((await send('POST', `/instances/${instance.id}/objects/inst/definitions`, definition)).body.level).toBe('instance');
    expect((await send('GET', '/instances/objects/inst/definitions', undefined, hub())).body.objectName).toBe('inst');
    const list = (await send('GET', '/organizations/objects/definitions')).body;
    expect(Object.keys(list)).toEqual(['myTicket']);
    const common = (await send('GET', '/common-resources')).body;
    expect(common.map((c: any) => c.name).sort()).toEqual(['acct', 'inst', 'myTicket']);
    expect(common[0].fields[0].associatedLevel).toBeTruthy();
    expect((await send('POST', '/organizations/objects/bad/definitions', { fields: [{ path: 'x', type: 'blob' }] })).status).toBe(400);
    expect((await send('POST', '/organizations/objects/bad/definitions', {})).status).toBe(400);
  });

  it('are created and deleted by the organization all at once, all or none', async () => {
    const other = await server.services.tenancy.createOrganization({ name: 'Tx Bulk', adminEmail: 'tx-bulk@example.com' });
    const as = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    const list = async () => (await send('GET', '/organizations/objects/definitions', undefined, as)).body;
    const one = { fields: [{ path: 'id', type: 'string' }] };

    const created = await send('POST', '/organizations/objects/definitions', { first: definition, second: one }, as);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      first: { level: 'organization', fields: definition.fields.map((f) => ({ ...f, level: 'organization' })) },
      second: { level: 'organization', fields: [{ path: 'id', type: 'string', level: 'organization' }] },
    });
    expect(await list()).toEqual(created.body);
    expect((await send('GET', '/organizations/objects/definitions?systemOnly=true', undefined, as)).body).toEqual({});

    // One name taken, one body wrong, no name at all, a name that is not one: nothing is created.
    const taken = await send('POST', '/organizations/objects/definitions', { third: one, second: one }, as);
    expect(taken.status).toBe(409);
    expect(taken.body.message).toMatch(/second is already defined/);
    const wrong = await send('POST', '/organizations/objects/definitions', { third: one, fourth: { fields: [{ path: 'x', type: 'blob' }] } }, as);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/fourth/);
    expect((await send('POST', '/organizations/objects/definitions', {}, as)).status).toBe(400);
    expect((await send('POST', '/organizations/objects/definitions', { 'no/slash': one }, as)).status).toBe(400);
    expect(Object.keys(await list())).toEqual(['first', 'second']);

    // Deleting them all waits until no transformation uses one, then leaves none.
    const otherInstance = (
      await send(
        'POST',
        '/instances',
        { element: { key: 'jiraonprem' }, name: 'tx-bulk', configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } },
        as,
      )
    ).body;
    expect((await send('POST', `/instances/${otherInstance.id}/transformations/first`, mapping(), as)).status).toBe(200);
    const refused = await send('DELETE', '/organizations/objects/definitions', undefined, as);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/first is still used/);
    expect(Object.keys(await list())).toEqual(['first', 'second']);
    await send('DELETE', `/instances/${otherInstance.id}/transformations/first`, undefined, as);
    expect((await send('DELETE', '/organizations/objects/definitions', undefined, as)).status).toBe(200);
    expect(await list()).toEqual({});
    // The organization's own definitions are untouched.
    expect(Object.keys((await send('GET', '/organizations/objects/definitions')).body)).toContain('myTicket');
  });
});

describe('transformations', () => {
  it('reshape hub reads and writes of incidents; raw keeps the vendor object', async () => {
    await send('POST', '/organizations/objects/incidents/definitions', definition);
    const t = await send('POST', `/instances/${instance.id}/transformations/incidents`, mapping());
    expect(t.status).toBe(200);
    assertContract('transformation', t.body);
    expect(t.body).toMatchObject({ vendorName: 'issue', level: 'instance', isLegacy: false });
    expect(t.body.startDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);

    const one = await call(`${server.api}/hubs/helpdesk/incidents/CE-1?raw=true`, { headers: hub() });
    expect(Object.keys(one.body).sort()).toEqual(['createdAt', 'id', 'raw', 'state', 'title']);
    expect(one.body).toMatchObject({ title: expect.stringContaining('#1'), state: 'Open', createdAt: expect.any(Number) });
    expect(one.body.raw.key).toBe('CE-1');
    const list = await call(`${server.api}/incidents?pageSize=3`, { headers: hub() });
    expect(list.body.every((i: any) => typeof i.title === 'string' && i.fields === undefined)).toBe(true);

    // Writes in the common shape become Jira's shape; fields not mapped back are left out.
    const created = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: hub(),
      json: { title: 'Made from my shape', state: 'ignored' },
    });
    expect(created.status).toBe(400);
    expect(created.body.providerMessage).toMatch(/project/);
    await send(
      'PUT',
      `/instances/${instance.id}/transformations/incidents`,
      mapping({
        configuration: [{ type: 'passThrough', properties: { fromVendor: false, toVendor: true } }],
      }),
    );
    const ok = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: hub(),
      json: { title: 'Made from my shape', fields: { project: { key: 'CE' }, issuetype: { name: 'Task' } } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.title).toBe('Made from my shape');
    const inJira = await jira.jira.get(`/rest/api/2/issue/${ok.body.id}`);
    expect(inJira.body.fields.summary).toBe('Made from my shape');
    const patched = await call(`${server.api}/hubs/helpdesk/incidents/${ok.body.id}`, {
      method: 'PATCH',
      headers: hub(),
      json: { title: 'Renamed in my shape' },
    });
    expect(patched.body.title).toBe('Renamed in my shape');
    // Sub-resources keep Jira's shape.
    expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-1/comments`, { headers: hub() })).status).toBe(200);
  });

  it('takes the most specific level, and inherit merges the fields of the levels above', async () => {
    const other = (
      await send('POST', '/instances', {
        element: { key: 'jiraonprem' },
        name: 'tx2',
        configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
      })
    ).body;
    const otherHub = { authorization: `${server.auth}, Element ${other.token}` };
    await send('POST', '/organizations/elements/jiraonprem/transformations/incidents', mapping());
    const orgShaped = await call(`${server.api}/incidents/CE-2`, { headers: otherHub });
    expect(Object.keys(orgShaped.body).sort()).toEqual(['createdAt', 'id', 'state', 'title']);
    await send('POST', `/instances/${other.id}/transformations/incidents`, {
      vendorName: 'issue',
      fields: [{ path: 'points', type: 'number', vendorPath: 'fields.customfield_10102' }],
      configuration: [{ type: 'inherit' }],
    });
    const merged = await call(`${server.api}/incidents/CE-2`, { headers: otherHub });
    expect(Object.keys(merged.body).sort()).toEqual(expect.arrayContaining(['createdAt', 'id', 'state', 'title']));
    const own = await send('GET', `/instances/${other.id}/transformations/incidents`);
    expect(own.body.fields.map((f: any) => f.level)).toEqual(['instance']);
    await send('DELETE', `/instances/${other.id}/transformations`);
    expect((await send('GET', `/instances/${other.id}/transformations`)).body).toEqual({});
    expect(Object.keys((await call(`${server.api}/incidents/CE-2`, { headers: otherHub })).body).sort()).toEqual(['createdAt', 'id', 'state', 'title']);
    await send('DELETE', '/organizations/elements/jiraonprem/transformations/incidents');
    expect((await call(`${server.api}/incidents/CE-2`, { headers: otherHub })).body.fields.summary).toBeTruthy();
  });

  it('refuses bad mappings with 400 naming them, and deleting a definition still in use with 409', async () => {
    const bad = async (body: unknown) => (await send('PUT', `/instances/${instance.id}/transformations/incidents`, body)).body.message as string;
    expect(await bad(mapping({ fields: [{ path: 'nope', type: 'string', vendorPath: 'id' }] }))).toMatch(/nope.*not a field of the object definition/);
    // The shape is the route's schema's: the field that breaks it, and what it may be.
    expect(await bad(mapping({ fields: [{ path: 'title', type: 'text', vendorPath: 'x' }] }))).toBe(
      'Invalid request: body/fields/0/type must be one of "string", "number", "boolean", "date", "object", "array"',
    );
    expect(await bad(mapping({ configuration: [{ type: 'keep' }] }))).toBe(
      'Invalid request: body/configuration/0/type must be one of "passThrough", "inherit", "addToDocumentation", "remove"',
    );
    expect(await bad(mapping({ fields: [{ path: 'title', vendorPath: 'x', configuration: [{ type: 'addToDocumentation' }] }] }))).toBe(
      'Invalid request: body/fields/0/configuration/0/type must be one of "remove", "passThrough", "inherit"',
    );
    expect(await bad(mapping({ vendorName: '' }))).toMatch(/^Invalid request: body\/vendorName must NOT have fewer than 1 characters/);
    const badDefinition = async (fields: unknown) => (await send('PUT', '/organizations/objects/incidents/definitions', { fields })).body.message as string;
    expect(await badDefinition([])).toMatch(/^Invalid request: body\/fields must NOT have fewer than 1 items/);
    expect(await badDefinition([{ path: 'id', type: 'text' }])).toMatch(/^Invalid request: body\/fields\/0\/type must be one of "string"/);
    expect(await badDefinition([{ path: 'a..b', type: 'string' }])).toBe('fields[0].path must be a dotted path');
    const twice = [
      { path: 'id', type: 'string' },
      { path: 'id', type: 'number' },
    ];
    expect(await badDefinition(twice)).toBe('fields[1]: path id appears twice');
    expect(await bad(mapping({ fields: [{ path: 'createdAt', type: 'date', vendorPath: 'fields.created' }] }))).toMatch(/needs a mask/);
    expect(await bad(mapping({ fields: [{ path: 'createdAt', type: 'date', vendorPath: 'fields.created', mask: 'yyyy-QQ' }] }))).toMatch(
      /unknown pattern letter/,
    );
    expect(await bad(mapping({ fields: [{ path: 'tags', type: 'string', vendorPath: 'fields.components[*].name' }] }))).toMatch(/cannot be written back/);
    expect(await bad(mapping({ isLegacy: true }))).toMatch(/v2 to v1/);
    expect((await send('POST', `/instances/${instance.id}/transformations/unknownObject`, mapping())).status).toBe(400);
    const del = await send('DELETE', '/organizations/objects/incidents/definitions');
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/still used/);
  });

  it('runs scripts in a sandbox, and survives errors, runaway loops, memory bombs and escape attempts', async () => {
    const withScript = (body: string) => send('PUT', `/instances/${instance.id}/transformations/incidents`, mapping({ script: { body } }));
    await withScript('transformedObject.title = transformedObject.title.toUpperCase(); transformedObject.key = originalObject.key; done(transformedObject);');
    const shaped = await call(`${server.api}/incidents/CE-3`, { headers: hub() });
    expect(shaped.body.title).toBe(shaped.body.title.toUpperCase());
    expect(shaped.body.key).toBe('CE-3');

    const attempts: [string, RegExp][] = [
      ['throw new Error("boom")', /failed: Error: boom/],
      ['while (true) {}', /ran longer than 200 ms/],
      ['const a = []; while (true) a.push("x".repeat(100000));', /memory limit|ran longer/],
      ['done(typeof process + typeof require + typeof fetch + typeof globalThis.Deno)', /^$/],
      ['transformedObject.x = 1;', /without calling done/],
    ];
    for (const [body, expected] of attempts) {
      await withScript(body);
      const res = await call(`${server.api}/incidents/CE-3`, { headers: hub() });
      if (expected.source === '^$') {
        expect(res.body).toBe('undefinedundefinedundefinedundefined');
      } else {
        expect(res.status, body).toBe(500);
        expect(res.body.message, body).toMatch(/transformation incidents/);
        expect(res.body.message, body).toMatch(expected);
      }
    }
    // The server is still answering.
    await send('DELETE', `/instances/${instance.id}/transformations/incidents`);
    expect((await call(`${server.api}/incidents/CE-3`, { headers: hub() })).status).toBe(200);
  });

  it('shapes the instance API document and event notifications too', async () => {
    expect(
      (await send('POST', `/instances/${instance.id}/transformations/incidents`, mapping({ configuration: [{ type: 'addToDocumentation' }] }))).status,
    ).toBe(200);
    const docs = await send('GET', `/instances/${instance.id}/docs`);
    expect(Object.keys(docs.body.definitions.incidents.properties).sort()).toEqual(['createdAt', 'id', 'state', 'title']);
    expect(docs.body.definitions.incidents.properties.createdAt.type).toBe('string');

    const received: any[] = [];
    const { createServer } = await import('node:http');
    const receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        received.push(JSON.parse(b));
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      await send('PATCH', `/instances/${instance.id}`, {
        configuration: {
          'event.notification.enabled': true,
          'event.notification.callback.url': `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`,
          'event.poller.refresh_interval': '1',
        },
      });
      await waitFor(async () => (await send('GET', `/instances/${instance.id}/events/status`)).body.lastPollDate !== null);
      const issue = (await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'shaped event' } }))
        .body;
      await server.services.worker.poll(instance.id);
      await waitFor(() => received.some((r) => r.message.events.some((e: any) => e.objectId === issue.id)));
      const n = received.find((r) => r.message.events.some((e: any) => e.objectId === issue.id));
      expect(n.message.raw.incidents[0]).toMatchObject({ id: issue.id, title: 'shaped event', state: 'Open' });
      expect(n.message.raw.incidents[0].fields).toBeUndefined();

      // From Jira's webhooks too: the notification carries the shape, not Jira's body. The delivery
      // is posted to the intake as Jira posts it, with a version no poll can see (a poll may notify
      // the same issue too, as its own change), so the webhook's notification is the one to check.
      const hooked = await send('PATCH', `/instances/${instance.id}`, { configuration: { 'event.vendor.type': 'webhook' } });
      expect(hooked.status).toBe(200);
      let webhookUrl = '';
      await waitFor(async () => {
        const s = (await send('GET', `/instances/${instance.id}/events/status`)).body;
        webhookUrl = s.webhookUrl;
        return s.webhookRegistration === 'auto';
      });
      const jiraIssue = (await jira.jira.get('/rest/api/2/issue/CE-3')).body;
      const delivery = {
        timestamp: Date.now(),
        webhookEvent: 'jira:issue_updated',
        issue: { ...jiraIssue, fields: { ...jiraIssue.fields, summary: 'pushed event', updated: '2031-01-01T00:00:00.000+0000' } },
      };
      const intake = await call(webhookUrl, { method: 'POST', json: delivery });
      expect(intake.status).toBe(200);
      const db = server.store.db;
      let eventId = '';
      await waitFor(async () => {
        const row = await db.selectFrom('events').select('id').where('instance_id', '=', instance.id).where('source', '=', 'webhook').executeTakeFirst();
        eventId = row?.id ?? '';
        return row !== undefined;
      });
      await waitFor(() => received.some((r) => r.message.eventId === eventId));
      const w = received.find((r) => r.message.eventId === eventId);
      expect(w.message.raw).toEqual({ incidents: [expect.objectContaining({ id: jiraIssue.id, title: 'pushed event' })] });
      expect(w.message.raw.incidents[0].fields).toBeUndefined();
      expect(w.message.raw.webhookEvent).toBeUndefined();
    } finally {
      await send('PATCH', `/instances/${instance.id}`, { configuration: { 'event.notification.enabled': false, 'event.vendor.type': 'polling' } });
      receiver.close();
    }
  });

  it('serve a common resource defined once as a hub resource of every instance of the element', async () => {
    expect(
      (
        await send('POST', '/organizations/objects/myHubTicket/definitions', {
          fields: [
            { path: 'ticketId', type: 'string' },
            { path: 'subject', type: 'string' },
            { path: 'state', type: 'string' },
          ],
        })
      ).status,
    ).toBe(200);
    const mapped = await send('POST', '/organizations/elements/jiraonprem/transformations/myHubTicket', {
      vendorName: 'issue',
      fields: [
        { path: 'ticketId', vendorPath: 'key' },
        { path: 'subject', vendorPath: 'fields.summary' },
        { path: 'state', vendorPath: 'fields.status.name', configuration: [{ type: 'remove', properties: { toVendor: true } }] },
      ],
    });
    expect(mapped.status).toBe(200);
    const second = (
      await send('POST', '/instances', {
        element: { key: 'jiraonprem' },
        name: 'tx-common',
        configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
      })
    ).body;
    try {
      for (const token of [instance.token, second.token]) {
        const as = { authorization: `${server.auth}, Element ${token}` };
        const list = await call(`${server.api}/hubs/helpdesk/myHubTicket?pageSize=2&where=${encodeURIComponent("key = 'CE-1'")}`, { headers: as });
        expect(list.status).toBe(200);
        expect(list.body).toEqual([{ ticketId: 'CE-1', subject: expect.stringContaining('#1'), state: expect.any(String) }]);
        expect((await call(`${server.api}/hubs/helpdesk/myHubTicket/CE-2`, { headers: as })).body).toMatchObject({ ticketId: 'CE-2' });
        expect((await call(`${server.api}/hubs/helpdesk/objects`, { headers: as })).body).toEqual(expect.arrayContaining(['incidents', 'myHubTicket']));
        const meta = await call(`${server.api}/hubs/helpdesk/objects/myHubTicket/metadata`, { headers: as });
        expect(meta.body.fields.map((f: any) => [f.vendorPath, f.type, f.vendorReadOnly])).toEqual([
          ['ticketId', 'string', false],
          ['subject', 'string', false],
          ['state', 'string', true],
        ]);
      }
      const as = { authorization: `${server.auth}, Element ${second.token}` };
      const created = await call(`${server.api}/hubs/helpdesk/myHubTicket`, {
        method: 'POST',
        headers: as,
        json: { subject: 'Through my ticket', fields: { project: { key: 'CE' }, issuetype: { name: 'Task' } } },
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ subject: 'Through my ticket', state: 'Open' });
      const key = created.body.ticketId;
      const patched = await call(`${server.api}/hubs/helpdesk/myHubTicket/${key}`, { method: 'PATCH', headers: as, json: { subject: 'Renamed ticket' } });
      expect(patched.body.subject).toBe('Renamed ticket');
      expect((await jira.jira.get(`/rest/api/2/issue/${key}`)).body.fields.summary).toBe('Renamed ticket');
      expect((await call(`${server.api}/hubs/helpdesk/myHubTicket/${key}`, { method: 'DELETE', headers: as })).status).toBe(200);
      expect((await jira.jira.get(`/rest/api/2/issue/${key}`)).status).toBe(404);

      const docs = await send('GET', `/instances/${second.id}/docs`);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/myHubTicket', '/myHubTicket/{id}']));
      expect(Object.keys(docs.body.definitions.myHubTicket.properties)).toEqual(['ticketId', 'subject', 'state']);

      const unknown = await call(`${server.api}/hubs/helpdesk/notDefined`, { headers: as });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toMatch(/define it .*definitions.* and map it/);
    } finally {
      await send('DELETE', `/instances/${second.id}`);
      await send('DELETE', '/organizations/elements/jiraonprem/transformations/myHubTicket');
      await send('DELETE', '/organizations/objects/myHubTicket/definitions');
    }
  });

  it("serve /accounts/objects/… and /accounts/elements/… as the organization's default account", async () => {
    const defaultAccount = (await send('GET', '/accounts')).body.find((a: any) => a.defaultAccount);
    const created = await send('POST', '/accounts/objects/myDefaultTicket/definitions', { fields: [{ path: 'ref', type: 'string' }] });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ objectName: 'myDefaultTicket', level: 'account' });
    expect((await send('GET', `/accounts/${defaultAccount.id}/objects/myDefaultTicket/definitions`)).body.fields).toEqual([
      { path: 'ref', type: 'string', level: 'account' },
    ]);
    const mapped = await send('POST', '/accounts/elements/jiraonprem/transformations/myDefaultTicket', {
      vendorName: 'issue',
      fields: [{ path: 'ref', vendorPath: 'key' }],
    });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ level: 'account', fields: [{ path: 'ref', type: 'string', vendorPath: 'key' }] });
    expect((await send('GET', `/accounts/${defaultAccount.id}/elements/jiraonprem/transformations/myDefaultTicket`)).status).toBe(200);
    expect((await send('GET', '/accounts/elements/jiraonprem/transformations/myDefaultTicket')).body.vendorName).toBe('issue');
    expect((await send('DELETE', '/accounts/elements/jiraonprem/transformations/myDefaultTicket')).status).toBe(200);
    expect((await send('DELETE', '/accounts/objects/myDefaultTicket/definitions')).status).toBe(200);
    expect((await send('GET', `/accounts/${defaultAccount.id}/objects/myDefaultTicket/definitions`)).status).toBe(404);
  });

  it('takes the documents Open Connectors clients send: types from the definition, writes passed through, script engine v1', async () => {
    const path = `/instances/${instance.id}/transformations/incidents`;
    // No type: the object definition says id is a string and points a number.
    const typeless = await send('PUT', path, {
      vendorName: 'issue',
      fields: [
        { path: 'id', vendorPath: 'id' },
        { path: 'points', vendorPath: 'fields.customfield_10102' },
      ],
    });
    expect(typeless.status).toBe(200);
    expect(typeless.body.fields.map((f: any) => [f.path, f.type])).toEqual([
      ['id', 'string'],
      ['points', 'number'],
    ]);
    expect((await send('GET', path)).body.fields.map((f: any) => f.type)).toEqual(['string', 'number']);

    // A mapping of id alone, without passThrough: the full Jira body still reaches Jira.
    const created = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: hub(),
      json: { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'Sent in Jira shape' } },
    });
    expect(created.status).toBe(200);
    expect((await jira.jira.get(`/rest/api/2/issue/${created.body.id}`)).body.fields.summary).toBe('Sent in Jira shape');
    const updated = await call(`${server.api}/hubs/helpdesk/incidents/${created.body.id}`, {
      method: 'PATCH',
      headers: hub(),
      json: { fields: { summary: 'Updated in Jira shape' } },
    });
    expect(updated.status).toBe(200);
    expect((await jira.jira.get(`/rest/api/2/issue/${created.body.id}`)).body.fields.summary).toBe('Updated in Jira shape');

    // Script engine v1: created, and moved on to v2; only the way back is refused.
    await send('DELETE', path);
    const legacy = await send('POST', path, {
      vendorName: 'issue',
      fields: [{ path: 'id', vendorPath: 'id' }],
      isLegacy: true,
      script: { body: 'done(transformedObject);' },
    });
    expect(legacy.status).toBe(200);
    expect(legacy.body.isLegacy).toBe(true);
    expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub() })).body).toEqual({ id: expect.any(String) });
    const upgraded = await send('PUT', path, { vendorName: 'issue', fields: [{ path: 'id', vendorPath: 'id' }], isLegacy: false });
    expect(upgraded.status).toBe(200);
    const back = await send('PUT', path, { vendorName: 'issue', fields: [{ path: 'id', vendorPath: 'id' }], isLegacy: true });
    expect(back.status).toBe(400);
    expect(back.body.message).toMatch(/v2 to v1/);
    await send('DELETE', path);
  });

  it('keeps data keys such as __proto__ and constructor as plain members, and never reads them from the prototype', async () => {
    const fields = [...definition.fields, { path: '__proto__.polluted', type: 'string' }, { path: 'constructor', type: 'string' }];
    expect((await send('PUT', '/organizations/objects/incidents/definitions', { fields })).status).toBe(200);
    const t = await send('POST', `/instances/${instance.id}/transformations/incidents`, {
      vendorName: 'issue',
      fields: [
        { path: 'id', type: 'string', vendorPath: 'id' },
        { path: '__proto__.polluted', type: 'string', vendorPath: 'key' },
        { path: 'constructor', type: 'string', vendorPath: 'fields.summary' },
        // Jira's issue has no member `constructor`: the prototype's function must not be read as one.
        { path: 'title', type: 'string', vendorPath: 'fields.constructor' },
      ],
    });
    expect(t.status).toBe(200);
    const one = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub() });
    expect(one.status).toBe(200);
    expect(Object.hasOwn(one.body, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(one.body, '__proto__')?.value).toEqual({ polluted: 'CE-1' });
    expect(one.body.constructor).toMatch(/#1/);
    expect(Object.hasOwn(one.body, 'title')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A body that names the prototype is refused before it reaches any mapping.
    const poisoned = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, {
      method: 'PATCH',
      headers: { ...hub(), 'content-type': 'application/json' },
      body: '{"__proto__":{"polluted":"yes"}}',
    });
    expect(poisoned.status).toBe(400);
    expect(poisoned.body).toMatchObject({ requestId: expect.any(String), message: expect.any(String) });
    // An index long enough to allocate a huge array is refused.
    const huge = await send('PUT', `/instances/${instance.id}/transformations/incidents`, {
      vendorName: 'issue',
      fields: [{ path: 'title', type: 'string', vendorPath: 'fields.labels[100000000]' }],
    });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/at most 999/);
    await send('DELETE', `/instances/${instance.id}/transformations/incidents`);
  });

  it('lists the element defaults', async () => {
    expect((await send('GET', '/elements/jiraonprem/transformations')).body).toEqual({
      incidents: { vendorName: 'issue', fields: [{ path: 'id', vendorPath: 'id', type: 'string' }] },
    });
  });
});

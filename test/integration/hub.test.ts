import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Client } from 'undici';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { stripNulls } from '../../src/hubs/response-shaping.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
let hub: string;
const h = () => ({ authorization: `${server.auth}, Element ${instance.token}` });
const get = (path: string, headers: Record<string, string> = {}) => call(`${hub}${path}`, { headers: { ...h(), ...headers } });
const send = (method: string, path: string, json?: unknown) => call(`${hub}${path}`, { method, headers: h(), ...(json !== undefined && { json }) });

const createInstance = (configuration: Record<string, unknown> = {}) =>
  createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'hub', configuration });

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_VENDOR_TIMEOUT_MS: '1000' });
  jira = await withEmulator({ contextPath: '/jira' });
  instance = await createInstance();
  hub = `${server.api}/hubs/helpdesk`;
});
afterAll(async () => {
  await server.close();
  await jira.close();
});
beforeEach(async () => {
  await jira.control.delete('/faults');
  await jira.control.put('/config', { rateLimit: { enabled: false } });
});

describe('hub authentication and routing', () => {
  it('needs the Element token; Organization is optional; the hub segment is cosmetic', async () => {
    expect((await call(`${hub}/incidents/CE-1`, { headers: { authorization: server.auth } })).status).toBe(401);
    const noOrg = await call(`${hub}/incidents/CE-1`, { headers: { authorization: `Element ${instance.token}, User ${server.admin.userSecret}` } });
    expect(noOrg.status).toBe(200);
    const crm = await call(`${server.api}/hubs/crm/incidents/CE-1`, { headers: h() });
    const bare = await call(`${server.api}/incidents/CE-1`, { headers: h() });
    expect(crm.body).toEqual(noOrg.body);
    expect(bare.body).toEqual(noOrg.body);
    expect(bare.headers.get('elements-element-instance-id')).toBe(String(instance.id));
    expect(
      (await call(`${hub}/incidents/CE-1`, { headers: { authorization: `${server.auth}, Element AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=` } })).status,
    ).toBe(401);
  });

  it('answers 403 on a disabled instance, but still lists its objects', async () => {
    await call(`${server.api}/instances/${instance.id}/enabled`, { method: 'DELETE', headers: { authorization: server.auth } });
    const res = await get('/incidents/CE-1');
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/disabled/);
    const objects = await get('/objects');
    expect(objects.status).toBe(200);
    expect(objects.body).toContain('incidents');
    await call(`${server.api}/instances/${instance.id}/enabled`, { method: 'PUT', headers: { authorization: server.auth } });
    expect((await get('/incidents/CE-1')).status).toBe(200);
  });
});

describe('incidents', () => {
  it('lists a bare array with the paging headers, and page 1 + page 2 equal a double page', async () => {
    const where = encodeURIComponent("project = 'CE'");
    const p1 = await get(`/incidents?where=${where}&page=1&pageSize=2`);
    expect(p1.status).toBe(200);
    expect(Array.isArray(p1.body)).toBe(true);
    expect(p1.body).toHaveLength(2);
    expect(p1.headers.get('elements-returned-count')).toBe('2');
    expect(Number(p1.headers.get('elements-total-count'))).toBeGreaterThan(50);
    expect(p1.headers.get('elements-request-id')).toMatch(/^[0-9a-f]{24}$/);
    const token = p1.headers.get('elements-next-page-token')!;
    const p2 = await get(`/incidents?where=${where}&pageSize=2&nextPage=${encodeURIComponent(token)}&page=2`);
    const p2b = await get(`/incidents?where=${where}&page=2&pageSize=2`);
    const both = await get(`/incidents?where=${where}&page=1&pageSize=4`);
    expect([...p1.body, ...p2.body]).toEqual(both.body);
    expect(p2b.body).toEqual(p2.body);
    expect(typeof p1.body[0].id).toBe('string');
    const badToken = await get(`/incidents?where=${encodeURIComponent("project = 'HELP'")}&nextPage=${encodeURIComponent(token)}`);
    expect(badToken.status).toBe(400);
  });

  it('walks every page with nextPage and returns every record exactly once', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let total = 0;
    do {
      const res = await get(`/incidents?pageSize=17&fields=summary${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`);
      seen.push(...res.body.map((i: any) => i.key));
      total = Number(res.headers.get('elements-total-count'));
      token = res.headers.get('elements-next-page-token');
    } while (token);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('keeps every record exactly once while records are being added between pages (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        async (pageSize, additions) => {
          const marker = `prop${Math.random().toString(36).slice(2, 8)}`;
          const baseline = (await get(`/incidents?where=${encodeURIComponent("project = 'HELP'")}&pageSize=1`)).headers.get('elements-total-count');
          const seen: string[] = [];
          let token: string | null = null;
          let i = 0;
          do {
            const res = await get(
              `/incidents?where=${encodeURIComponent("project = 'HELP'")}&pageSize=${pageSize}&fields=summary${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`,
            );
            seen.push(...res.body.map((x: any) => x.key));
            token = res.headers.get('elements-next-page-token');
            for (let n = 0; n < (additions[i++ % additions.length] ?? 0); n++) {
              await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: marker } });
            }
          } while (token);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBeGreaterThanOrEqual(Number(baseline));
        },
      ),
      { numRuns: 6 },
    );
  });

  it('translates CEQL: LIKE, id, key, IN, IS NULL, dates in the Jira user zone, orderBy', async () => {
    const like = await get(`/incidents?where=${encodeURIComponent("summary LIKE 'Printer%' AND project = 'CE'")}&pageSize=100`);
    expect(like.body.length).toBeGreaterThan(0);
    expect(like.body.every((i: any) => i.fields.summary.startsWith('Printer'))).toBe(true);
    const one = await get(`/incidents/CE-1`);
    expect((await get(`/incidents?where=${encodeURIComponent(`id = '${one.body.id}'`)}`)).body.map((i: any) => i.key)).toEqual(['CE-1']);
    expect(
      (await get(`/incidents?where=${encodeURIComponent("key IN ('CE-1','CE-2')")}&orderBy=${encodeURIComponent('key desc')}`)).body.map((i: any) => i.key),
    ).toEqual(['CE-2', 'CE-1']);
    const exact = await get(`/incidents?where=${encodeURIComponent(`summary = '${one.body.fields.summary}'`)}`);
    expect(exact.body.map((i: any) => i.key)).toEqual(['CE-1']);
    expect((await get(`/incidents?where=${encodeURIComponent("summary LIKE '%fire'")}`)).status).toBe(400);
    expect((await get(`/incidents?where=${encodeURIComponent("id = '1 OR 1=1'")}`)).status).toBe(400);
    const unassigned = await get(`/incidents?where=${encodeURIComponent("assignee IS NULL AND project = 'CE'")}&pageSize=200&raw=true`);
    expect(unassigned.body.every((i: any) => i.raw.fields.assignee === null)).toBe(true);

    const updated = (await jira.jira.get('/rest/api/2/issue/CE-3?fields=updated')).body.fields.updated as string;
    const iso = new Date(Date.parse(updated.replace(/(\d{2})(\d{2})$/, '$1:$2'))).toISOString();
    const since = await get(`/incidents?where=${encodeURIComponent(`updated >= '${iso}' AND key = 'CE-3'`)}`);
    expect(since.body.map((i: any) => i.key)).toEqual(['CE-3']);
    const after = new Date(Date.parse(iso) + 1).toISOString();
    expect((await get(`/incidents?where=${encodeURIComponent(`updated >= '${after}' AND key = 'CE-3'`)}`)).body).toEqual([]);
    const ordered = await get(
      `/incidents?where=${encodeURIComponent("project = 'CE'")}&orderBy=${encodeURIComponent('fields.updated asc')}&pageSize=50&fields=updated`,
    );
    const times = ordered.body.map((i: any) => Date.parse(i.fields.updated.replace(/(\d{2})(\d{2})$/, '$1:$2')));
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
    const syntax = await get(`/incidents?where=${encodeURIComponent("summary = 'x' AND")}`);
    expect(syntax.status).toBe(400);
    expect(syntax.body.message).toMatch(/position/);
    const unknown = await get(`/incidents?where=${encodeURIComponent("nosuchfield = 'x'")}`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.providerMessage).toMatch(/does not exist/);
  });

  it('strips nulls by default, keeps them with filter.response.nulls=false, adds raw on request', async () => {
    const stripped = await get('/incidents/CE-1');
    expect(stripped.body.fields).not.toHaveProperty('resolution');
    expect(stripped.body).not.toHaveProperty('raw');
    expect(stripped.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // Jira's issue, member for member, less its nulls.
    expect(stripped.body).toEqual(stripNulls((await jira.jira.get('/rest/api/2/issue/CE-1')).body));
    const raw = await get('/incidents/CE-1?raw=true');
    expect(raw.body.raw.fields.resolution).toBeNull();
    const keep = await createInstance({ 'filter.response.nulls': false });
    const kept = await call(`${hub}/incidents/CE-1`, { headers: { authorization: `${server.auth}, Element ${keep.token}` } });
    expect(kept.body.fields.resolution).toBeNull();
  });

  it('creates (200, re-read), reads, patches, puts and deletes; custom fields by id and by name', async () => {
    const created = await send('POST', '/incidents', {
      fields: {
        project: { key: 'CE' },
        issuetype: { name: 'Bug' },
        summary: 'Test incident',
        description: 'Created through the helpdesk hub: Zürich, 日本, "quoted", back\\slash, {"a":null}',
        assignee: { name: 'jiradev' },
        components: [{ name: 'Console' }],
        'Story Points': 5,
        customfield_10100: { value: 'Major' },
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      key: expect.stringMatching(/^CE-\d+$/),
      fields: { summary: 'Test incident', customfield_10102: 5, customfield_10100: { value: 'Major' }, assignee: { name: 'jiradev' } },
    });
    const id = created.body.id;
    const got = await get(`/incidents/${id}`);
    expect(got.body.id).toBe(id);
    // Passed on as Jira's bytes: multi-byte text and JSON-looking text survive null stripping.
    expect(got.body).toEqual(stripNulls((await jira.jira.get(`/rest/api/2/issue/${id}`)).body));
    expect(got.body.fields.description).toBe('Created through the helpdesk hub: Zürich, 日本, "quoted", back\\slash, {"a":null}');
    const patched = await send('PATCH', `/incidents/${id}`, { fields: { summary: 'Patched' } });
    expect(patched.status).toBe(200);
    expect(patched.body.fields.summary).toBe('Patched');
    const put = await send('PUT', `/incidents/${created.body.key}`, { fields: { priority: { name: 'Low' } } });
    expect(put.body.fields.priority.name).toBe('Low');
    // The whole creation body again: its unchanged project and issue type are not edits.
    const whole = await send('PATCH', `/incidents/${id}`, { fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' }, summary: 'Sent whole' } });
    expect(whole.status).toBe(200);
    expect(whole.body.fields.summary).toBe('Sent whole');
    const byId = await send('PATCH', `/incidents/${id}`, { fields: { project: { id: created.body.fields.project.id }, summary: 'By project id' } });
    expect(byId.body.fields.summary).toBe('By project id');
    const moved = await send('PATCH', `/incidents/${id}`, { fields: { project: { key: 'HELP' }, summary: 'Moved?' } });
    expect(moved.status).toBe(400);
    expect(moved.body.message).toMatch(/another project.*web UI/);
    expect((await get(`/incidents/${id}`)).body.fields.summary).toBe('By project id');
    const invalid = await send('POST', '/incidents', { fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.providerMessage).toMatch(/summary/);
    expect(invalid.body.providerCode).toBe(400);
    const del = await call(`${hub}/incidents/${id}`, { method: 'DELETE', headers: { ...h(), 'content-type': 'application/json' }, body: 'null' });
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    const gone = await get(`/incidents/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.providerMessage).toBe('Issue Does Not Exist');
  });
});

describe('incident sub-resources', () => {
  it('an id of "." or ".." never reaches another Jira resource', async () => {
    // Sent as is, without the client normalising the path.
    const client = new Client(new URL(server.api).origin);
    const prefix = new URL(hub).pathname;
    for (const path of ['/incidents/CE-2/comments/..', '/incidents/..', '/incidents/CE-2/worklogs/.']) {
      const res = await client.request({ method: 'DELETE', path: `${prefix}${path}`, headers: h() });
      expect(res.statusCode, path).toBe(404);
      await res.body.text();
    }
    await client.close();
    expect((await get('/incidents/CE-2')).status).toBe(200);
  });

  it('comments: list, create, get, update, delete', async () => {
    const created = await send('POST', '/incidents/CE-5/comments', { body: 'This is a test Comment' });
    expect(created.status).toBe(200);
    const cid = created.body.id;
    expect((await get('/incidents/CE-5/comments')).body.map((c: any) => c.id)).toContain(cid);
    expect((await get(`/incidents/CE-5/comments/${cid}`)).body.body).toBe('This is a test Comment');
    expect((await send('PATCH', `/incidents/CE-5/comments/${cid}`, { body: 'edited' })).body.body).toBe('edited');
    expect((await send('DELETE', `/incidents/CE-5/comments/${cid}`)).status).toBe(200);
    expect((await get(`/incidents/CE-5/comments/${cid}`)).status).toBe(404);
  });

  it('attachments: multipart upload with fileName, list, metadata, bytes, delete', async () => {
    const bytes = Buffer.from('attachment body \u00e9'.repeat(100));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/plain' }), 'original.txt');
    const up = await call(`${hub}/incidents/CE-6/attachments?fileName=renamed.txt`, { method: 'POST', headers: h(), body: form });
    expect(up.status).toBe(200);
    expect(up.body[0]).toMatchObject({ filename: 'renamed.txt', size: bytes.length });
    const aid = up.body[0].id;
    expect((await get('/incidents/CE-6/attachments')).body.map((a: any) => a.id)).toContain(aid);
    expect((await get(`/attachments/${aid}`)).body.filename).toBe('renamed.txt');
    const download = await fetch(`${hub}/attachments/${aid}`, { headers: { ...h(), accept: 'application/octet-stream' } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    // Uploads and downloads go through the same client as every call: a 429 is waited out.
    await jira.control.post('/faults', {
      path: '/secure/attachment/',
      kind: 'status',
      status: 429,
      count: 1,
      headers: { 'Retry-After': '1' },
      body: { message: 'slow down' },
    });
    const afterWait = await fetch(`${hub}/attachments/${aid}`, { headers: { ...h(), accept: 'application/octet-stream' } });
    expect(afterWait.status).toBe(200);
    expect(Buffer.from(await afterWait.arrayBuffer())).toEqual(bytes);
    await jira.control.post('/faults', {
      path: '/attachments$',
      kind: 'status',
      status: 429,
      count: 1,
      headers: { 'Retry-After': '1' },
      body: { message: 'slow down' },
    });
    const again = new FormData();
    again.append('file', new Blob([bytes], { type: 'text/plain' }), 'again.txt');
    const upAgain = await call(`${hub}/incidents/CE-6/attachments`, { method: 'POST', headers: h(), body: again });
    expect(upAgain.status).toBe(200);
    expect((await send('DELETE', `/attachments/${upAgain.body[0].id}`)).status).toBe(200);
    expect((await send('DELETE', `/attachments/${aid}`)).status).toBe(200);
    expect((await get(`/attachments/${aid}`)).status).toBe(404);
    const noFile = await call(`${hub}/incidents/CE-6/attachments`, { method: 'POST', headers: h(), json: { x: 1 } });
    expect(noFile.status).toBe(415);
    // Multipart is parsed for uploads only; elsewhere it is a media type the route does not take.
    const elsewhere = await call(`${hub}/incidents/CE-6/comments`, { method: 'POST', headers: h(), body: form });
    expect(elsewhere.status).toBe(415);
    expect(elsewhere.body).toMatchObject({ requestId: expect.any(String), message: expect.any(String) });
  });

  it('transitions, history, notifications, properties and worklogs', async () => {
    const list = await get('/incidents/CE-7/transitions');
    const start = list.body.find((t: any) => t.name === 'Start Progress') ?? list.body[0];
    const moved = await send('POST', '/incidents/CE-7/transitions', { transition: { id: start.id } });
    expect(moved.status).toBe(200);
    const history = await get('/incidents/CE-7/history');
    const last = history.body.at(-1);
    expect(last.items.some((i: any) => i.field === 'status')).toBe(true);
    expect((await get(`/incidents/CE-7/history/${last.id}`)).body.id).toBe(last.id);
    expect((await get('/incidents/CE-7/history/999999')).status).toBe(404);

    const notify = await send('POST', '/incidents/CE-7/notifications', {
      subject: 'testsubject',
      textBody: 'test',
      htmlBody: 'test',
      to: { users: [{ name: 'jiradev', active: true }], groups: [{ name: 'jira-users' }] },
    });
    expect(notify.status).toBe(200);
    expect((await jira.control.get('/outbox')).body.at(-1).body.subject).toBe('testsubject');

    const prop = await send('PUT', '/incidents/CE-7/properties/issue.abc', { value: { keys: [1] } });
    expect(prop.body).toEqual({ key: 'issue.abc', value: { value: { keys: [1] } } });
    expect((await get('/incidents/CE-7/properties')).body.map((k: any) => k.key)).toContain('issue.abc');
    expect((await send('DELETE', '/incidents/CE-7/properties/issue.abc')).status).toBe(200);
    expect((await get('/incidents/CE-7/properties/issue.abc')).status).toBe(404);

    const wl = await send('POST', '/incidents/CE-7/worklogs', { timeSpent: '1h 30m', comment: 'w', started: '2024-05-01T10:00:00.000+0000' });
    expect(wl.body.timeSpentSeconds).toBe(5400);
    expect((await send('PATCH', `/incidents/CE-7/worklogs/${wl.body.id}`, { timeSpent: '2h' })).body.timeSpentSeconds).toBe(7200);
    expect((await get('/incidents/CE-7/worklogs')).body.map((w: any) => w.id)).toContain(wl.body.id);
    expect((await send('DELETE', `/incidents/CE-7/worklogs/${wl.body.id}`)).status).toBe(200);
  });
});

describe('users, reference data, objects', () => {
  it('agents and contacts need username, find by login, display name or e-mail, and use the key as id', async () => {
    expect((await get('/agents')).status).toBe(400);
    const found = await get(`/agents?where=${encodeURIComponent("username='Flynn'")}`);
    expect(found.body.map((u: any) => u.name)).toEqual(['kevin']);
    const byKey = await get(`/contacts/${found.body[0].key}`);
    expect(byKey.body.name).toBe('kevin');
    const contact = await send('POST', '/contacts', { displayName: 't1a2b3 !_-', name: 't4c5d6', emailAddress: 'x@y.com' });
    expect(contact.status).toBe(200);
    const search = await get(`/contacts?where=${encodeURIComponent("username='t1a2b3 !_-'")}`);
    expect(search.body.map((u: any) => u.key)).toEqual([contact.body.key]);
    expect((await send('PATCH', `/contacts/${contact.body.key}`, { displayName: 'renamed' })).body.displayName).toBe('renamed');
    expect((await send('DELETE', `/contacts/${contact.body.key}`)).status).toBe(200);
  });

  it('priorities, statuses, incident types, projects (expand lead), fields and ping', async () => {
    const priorities = await get('/priorities');
    expect(priorities.body.map((p: any) => p.name)).toEqual(['Highest', 'High', 'Medium', 'Low', 'Lowest']);
    expect(priorities.headers.get('elements-total-count')).toBe('5');
    expect((await get(`/priorities?where=${encodeURIComponent("id='3'")}`)).body.map((p: any) => p.name)).toEqual(['Medium']);
    expect((await get('/statuses/1')).body.name).toBe('Open');
    const type = await send('POST', '/incident-types', { name: `Type-${Date.now()}`, description: 'd', type: 'standard' });
    expect(type.status).toBe(200);
    expect((await send('PATCH', `/incident-types/${type.body.id}`, { description: 'e' })).body.description).toBe('e');
    expect((await send('DELETE', `/incident-types/${type.body.id}`)).status).toBe(200);
    const projects = await get(`/projects?where=${encodeURIComponent("expand='lead' AND key='CE'")}`);
    expect(projects.body).toHaveLength(1);
    expect(projects.body[0].lead.name).toBe('kevin');
    const project = await send('POST', '/projects', { name: 'Ax123', projectTypeKey: 'business', key: 'AX123', lead: 'kevin' });
    expect(project.body.key).toBe('AX123');
    const dup = await send('POST', '/projects', { name: 'Ax124', projectTypeKey: 'business', key: 'AX123', lead: 'kevin' });
    expect(dup.status).toBe(400);
    expect(dup.body.providerMessage).toMatch(/projectKey/);
    expect((await send('DELETE', '/projects/AX123')).status).toBe(200);
    const fields = await get('/fields?pageSize=1000');
    expect(fields.body.some((f: any) => f.id === 'customfield_10100')).toBe(true);
    const cf = await send('POST', '/fields', { name: 'bestfieldtestfield', type: 'com.atlassian.jira.plugin.system.customfieldtypes:grouppicker' });
    expect(cf.body.id).toMatch(/^customfield_/);
    expect((await get('/ping')).body.name).toBe('admin');
  });

  it("objects and their metadata, read from the instance's Jira", async () => {
    const objects = (await get('/objects')).body as string[];
    expect(objects).toEqual(['incidents', 'incident-types', 'agents', 'contacts', 'priorities', 'statuses', 'projects', 'fields']);
    // Every object listed is described: nothing is advertised that does not answer.
    for (const name of objects) expect((await get(`/objects/${name}/metadata`)).status, name).toBe(200);
    const meta = await get('/objects/incidents/metadata');
    const byPath = Object.fromEntries(meta.body.fields.map((f: any) => [f.vendorPath, f]));
    expect(byPath['fields.summary']).toMatchObject({ type: 'string', vendorRequired: true, vendorReadOnly: false });
    expect(byPath['fields.created']).toMatchObject({ type: 'date', vendorReadOnly: true });
    expect(byPath['fields.customfield_10102']).toMatchObject({ vendorDisplayName: 'Story Points', type: 'number', custom: true });
    expect((await get('/objects/priorities/metadata')).body.fields.map((f: any) => f.vendorPath)).toContain('name');
    // Agents and contacts are Jira users: described from the instance's own user, searched only by username.
    const agent = Object.fromEntries((await get('/objects/agents/metadata')).body.fields.map((f: any) => [f.vendorPath, f]));
    expect(agent.name).toMatchObject({ type: 'string', vendorReadOnly: false, filterable: false });
    expect(agent.key).toMatchObject({ vendorReadOnly: true });
    expect(agent.emailAddress).toBeDefined();
    expect((await get('/objects/nothing/metadata')).status).toBe(404);
  });
});

describe('Jira failures during hub calls', () => {
  it('a Jira 401 marks the instance invalid and says its credentials no longer work; no retry', async () => {
    await jira.jira.post('/rest/api/2/user', { name: 'temp', password: 'temp-pw-1', emailAddress: 't@example.com', displayName: 'Temp' });
    const temp = await createInstance({ username: 'temp', password: 'temp-pw-1' });
    await jira.jira.put('/rest/api/2/user?username=temp', { active: false });
    const res = await call(`${hub}/incidents/CE-1`, { headers: { authorization: `${server.auth}, Element ${temp.token}` } });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/credentials no longer work/);
    expect((await call(`${server.api}/instances/${temp.id}`, { headers: { authorization: server.auth } })).body.valid).toBe(false);
  });

  it('the CAPTCHA lockout, 5xx HTML pages, timeouts and dropped connections', async () => {
    await jira.control.post('/faults', {
      path: 'issue/CE-1$',
      kind: 'status',
      status: 403,
      count: 1,
      headers: { 'X-Authentication-Denied-Reason': 'CAPTCHA_CHALLENGE; login-url=x' },
      body: { errorMessages: ['denied'], errors: {} },
    });
    const captcha = await get('/incidents/CE-1');
    expect(captcha.status).toBe(403);
    expect(captcha.body.message).toMatch(/CAPTCHA/);
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'html', status: 503, count: 1 });
    const html = await get('/incidents/CE-1');
    expect(html.status).toBe(502);
    expect(html.body.providerCode).toBe(503);
    // A 2xx whose JSON is cut short is Jira's fault: 502 with Jira's text, never our 500.
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'status', status: 200, body: '{"id":"10000","fields":{', count: 2 });
    const broken = await get('/incidents/CE-1');
    expect(broken.status).toBe(502);
    expect(broken.body.providerMessage).toContain('{"id":"10000"');
    expect((await get('/incidents/CE-1?raw=true')).status).toBe(502);
    // Braces in place but not JSON: passed on as Jira sent it unless the object is needed.
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'status', status: 200, body: '{"id":"10000" "key":"CE-1"}', count: 2 });
    expect(await (await fetch(`${hub}/incidents/CE-1`, { headers: h() })).text()).toBe('{"id":"10000" "key":"CE-1"}');
    expect((await get('/incidents/CE-1?raw=true')).status).toBe(502);
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'delay', delayMs: 2500, count: 1 });
    const slow = await get('/incidents/CE-1');
    expect(slow.status).toBe(504);
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'drop', count: 1 });
    expect((await get('/incidents/CE-1')).status).toBe(504);
    expect((await get('/incidents/CE-1')).status).toBe(200);
  });

  it('waits out a short 429 honouring Retry-After, and passes a long one on with Retry-After', async () => {
    await jira.control.put('/config', { rateLimit: { enabled: true, capacity: 1, fillRate: 1, intervalSeconds: 1 } });
    await get('/incidents/CE-1');
    const started = Date.now();
    const waited = await get('/incidents/CE-1');
    expect(waited.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await jira.control.put('/config', { rateLimit: { enabled: true, capacity: 1, fillRate: 1, intervalSeconds: 60 } });
    await get('/incidents/CE-1');
    const limited = await get('/incidents/CE-1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(10);
    await jira.control.put('/config', { rateLimit: { enabled: false } });
  });
});

describe('isolation and completeness', () => {
  it('a slow Jira never blocks calls of another instance', async () => {
    const other = await withEmulator();
    try {
      const fast = await createJiraInstance(server.api, server.auth, other.baseUrl, { name: 'fast' });
      await jira.control.post('/faults', { path: 'issue/CE-2$', kind: 'delay', delayMs: 900, count: 20 });
      let slowFinished = 0;
      const slowCalls = Array.from({ length: 20 }, () =>
        get('/incidents/CE-2').then((r) => {
          slowFinished++;
          return r;
        }),
      );
      for (let i = 0; i < 10; i++) {
        const res = await call(`${hub}/incidents/CE-1`, { headers: { authorization: `${server.auth}, Element ${fast.token}` } });
        expect(res.status).toBe(200);
      }
      // Every call of the healthy Jira was answered while the slow Jira still held all of its calls.
      expect(slowFinished).toBe(0);
      // Beyond the per-Jira connection limit, queued calls time out (504) rather than wait forever.
      expect((await Promise.all(slowCalls)).map((r) => r.status).every((s) => s === 200 || s === 504)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('returns the complete history of an incident with more than 100 changes', async () => {
    const created = await send('POST', '/incidents', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'busy' } });
    for (let i = 0; i < 130; i++) await jira.jira.put(`/rest/api/2/issue/${created.body.key}`, { fields: { summary: `busy ${i}` } });
    const history = await get(`/incidents/${created.body.key}/history?pageSize=1000`);
    expect(history.body).toHaveLength(130);
    expect(history.headers.get('elements-total-count')).toBe('130');
  });
});

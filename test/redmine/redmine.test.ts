import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDMINE_ROOT, redmineClient, seedRedmine, startRedmine, type RedmineSeed, type RunningRedmine } from '../helpers/redmine.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/** The redmine connector against a real Redmine: provisioning, filters, every resource, events, bulk export, catalog. */
const template = inject('redmineTemplate');
const KEY = 'redmine-signing-key';
let redmine: RunningRedmine;
let rm: ReturnType<typeof redmineClient>;
let seed: RedmineSeed;
let server: TestServer;
let instance: { id: number; token: string };
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const hub = (path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
  call(`${server.api}/hubs/helpdesk/${path}`, { ...init, headers: { authorization: `${server.auth}, Element ${instance.token}`, ...init.headers } });
const createInstance = (configuration: Record<string, unknown>, name = 'redmine') =>
  call(`${server.api}/instances`, { method: 'POST', headers: { authorization: server.auth }, json: { element: { key: 'redmine' }, name, configuration } });
/** Every issue a CEQL query lists, walking the pages. */
async function listAll(query: string): Promise<any[]> {
  const all: any[] = [];
  let next: string | undefined;
  do {
    const res = await hub(`incidents?pageSize=7&${query}${next ? `&nextPage=${encodeURIComponent(next)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body);
    next = res.headers.get('elements-next-page-token') ?? undefined;
  } while (next);
  return all;
}

describe.skipIf(!template)('redmine', () => {
  beforeAll(async () => {
    redmine = await startRedmine(template);
    rm = redmineClient(redmine.baseUrl);
    seed = await seedRedmine(redmine.baseUrl, 12);
    server = await startTestServer();
    receiver = await startReceiver();
    const created = await createInstance({
      siteAddress: redmine.baseUrl,
      apiKey: seed.apiKey,
      'event.notification.enabled': true,
      'event.notification.callback.url': receiver.url,
      'event.notification.signature.key': KEY,
      'event.poller.refresh_interval': '1',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    instance = created.body;
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await redmine?.close();
  });

  it("provisions with an API key or a login, masks both, and refuses what is not a working Redmine login with Redmine's words", async () => {
    const got = await call(`${server.api}/instances/${instance.id}`, { headers: { authorization: server.auth } });
    expect(got.body.configuration).toMatchObject({ apiKey: '********', siteAddress: redmine.baseUrl });
    expect(JSON.stringify(got.body)).not.toContain(seed.apiKey);
    const byLogin = await createInstance({ siteAddress: `${redmine.baseUrl}/`, username: 'admin', password: 'admin' }, 'login');
    expect(byLogin.status, JSON.stringify(byLogin.body)).toBe(200);
    expect(byLogin.body.configuration).toMatchObject({ password: '********', siteAddress: redmine.baseUrl });

    const cases: [Record<string, unknown>, RegExp][] = [
      [{ siteAddress: redmine.baseUrl, apiKey: 'not-a-key' }, /Invalid Redmine API key/],
      [{ siteAddress: redmine.baseUrl, username: 'admin', password: 'wrong' }, /Invalid Redmine login or password/],
      [{ siteAddress: redmine.baseUrl }, /Missing required configuration: apiKey \(or username and password\)/],
      [{ siteAddress: redmine.baseUrl, username: 'admin' }, /Missing required configuration: password/],
      [{ siteAddress: new URL(receiver.url).origin, apiKey: seed.apiKey }, /does not answer like Redmine/],
      [{ siteAddress: 'http://127.0.0.1:1', apiKey: seed.apiKey }, /Cannot reach siteAddress/],
      [{ siteAddress: 'ftp://example.com', apiKey: seed.apiKey }, /siteAddress must use http or https/],
    ];
    for (const [configuration, message] of cases) {
      const res = await createInstance(configuration, 'refused');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ requestId: expect.any(String), message: expect.stringMatching(message) });
    }
  });

  it('checks a refused API key once, never retrying it (each retry counts against the account)', async () => {
    // A counting pass-through in front of Redmine.
    const seen: string[] = [];
    const proxy = createServer(async (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-redmine-api-key'] ? 'key' : 'anonymous'}`);
      const answer = await fetch(`${redmine.baseUrl}${req.url}`, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => ['x-redmine-api-key', 'authorization', 'accept'].includes(k))) as Record<
          string,
          string
        >,
      });
      res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k))));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const res = await createInstance({ siteAddress: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: 'wrong-key' }, 'once');
      expect(res.status).toBe(400);
      expect(seen).toEqual(['GET /users/current.json anonymous', 'GET /users/current.json key']);
    } finally {
      proxy.close();
    }
  });

  it('filters with Redmine: ids, subject, dates, order; in memory what it cannot; a clause it cannot take is a 400 naming it', async () => {
    const before = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const make = async (issue: Record<string, unknown>) =>
      (await rm.post('/issues.json', { issue: { project_id: seed.projectId, tracker_id: 1, ...issue } })).body.issue as { id: number };
    const needle = await make({ subject: 'needle in the hay', tracker_id: 2, priority_id: 3 });
    const closed = await make({ subject: 'closed needle' });
    // Redmine takes a new issue's status from its tracker: closing is a change after it.
    await rm.put(`/issues/${closed.id}.json`, { issue: { status_id: 5 } });
    const ids = (issues: any[]) => issues.map((i) => i.id).sort((a, b) => a - b);

    // Every status by default (Redmine alone lists open issues only).
    expect(ids(await listAll(''))).toContain(closed.id);
    expect(ids(await listAll(`where=${encodeURIComponent('status_id = 5')}`))).toEqual([closed.id]);
    expect(ids(await listAll(`where=${encodeURIComponent("subject like '%needle%'")}`))).toEqual([needle.id, closed.id]);
    const tracker2 = await listAll(`where=${encodeURIComponent(`tracker_id = 2 and project_id = ${seed.projectId}`)}`);
    const direct = (await rm.get(`/issues.json?status_id=*&tracker_id=2&project_id=${seed.projectId}&limit=100`)).body;
    expect(ids(tracker2)).toEqual(ids(direct.issues));
    expect(tracker2.every((i) => i.tracker.id === 2)).toBe(true);
    expect(ids(await listAll(`where=${encodeURIComponent(`created_on >= '${before}' and subject like '%needle%'`)}`))).toEqual([needle.id, closed.id]);
    expect(ids(await listAll(`where=${encodeURIComponent("created_on <= '2000-01-01'")}`))).toEqual([]);
    // Redmine cannot filter by a priority's name: checked in memory, with no total claimed.
    const high = await hub(`incidents?where=${encodeURIComponent("priority.name = 'High'")}`);
    expect(ids(high.body)).toEqual([needle.id]);
    expect(high.headers.get('elements-total-count')).toBeNull();
    const sorted = await listAll(`where=${encodeURIComponent("subject like '%needle%'")}&orderBy=${encodeURIComponent('subject desc')}`);
    expect(sorted.map((i) => i.subject)).toEqual(['needle in the hay', 'closed needle']);

    for (const [query, message] of [
      [`where=${encodeURIComponent("tracker_id = 'bug'")}`, /tracker_id takes a Redmine id/],
      [`where=${encodeURIComponent("updated_on >= 'yesterday'")}`, /updated_on takes an ISO 8601 date/],
      [`orderBy=${encodeURIComponent('color asc')}`, /Redmine cannot order issues by color/],
    ] as const) {
      const res = await hub(`incidents?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message).toMatch(message);
    }
  });

  it('writes an issue in Redmine\'s own shape, without its {"issue": …} wrapper, and takes back the body it read', async () => {
    const created = await hub('incidents', { method: 'POST', json: { project_id: seed.projectId, tracker_id: 1, subject: 'round trip', description: 'd' } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ subject: 'round trip', project: { id: seed.projectId }, tracker: { id: 1 } });
    // The object as read, references and read-only members included, goes back as it is.
    const changed = await hub(`incidents/${created.body.id}`, {
      method: 'PUT',
      json: { ...created.body, subject: 'round trip, changed', priority: { id: 4 } },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ subject: 'round trip, changed', priority: { id: 4 } });
    // Redmine's own refusal, with its words.
    const refused = await hub('incidents', { method: 'POST', json: { project_id: seed.projectId } });
    expect(refused.status).toBe(400);
    expect(refused.body.providerMessage).toMatch(/Subject cannot be blank/);
    const notObject = await hub('incidents', { method: 'POST', json: [1] });
    expect(notObject.status).toBe(400);
  });

  it('writes, reads and filters custom fields by cf_<id>, as the metadata names them', async () => {
    const created = await hub('incidents', {
      method: 'POST',
      json: { project_id: seed.projectId, tracker_id: 1, subject: 'for a customer', cf_1: 'ACME Corp' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.custom_fields).toEqual([{ id: 1, name: 'Customer', value: 'ACME Corp' }]);
    const byValue = await listAll(`where=${encodeURIComponent("cf_1 = 'ACME Corp'")}`);
    expect(byValue.map((i) => i.id)).toEqual([created.body.id]);
    expect((await listAll(`where=${encodeURIComponent("cf_1 like '%CME%'")}`)).map((i) => i.id)).toEqual([created.body.id]);
    const changed = await hub(`incidents/${created.body.id}`, { method: 'PATCH', json: { cf_1: 'Initech' } });
    expect(changed.body.custom_fields).toEqual([{ id: 1, name: 'Customer', value: 'Initech' }]);
    expect((await hub(`incidents?where=${encodeURIComponent('cf_1 > 3')}`)).status).toBe(400);
    const meta = (await hub('objects/incidents/metadata')).body.fields as any[];
    expect(meta.find((f) => f.vendorPath === 'cf_1')).toMatchObject({ vendorDisplayName: 'Customer', custom: true, filterable: true, type: 'string' });
    // Every standard field at least one tracker uses (the default trackers use them all).
    expect(meta.map((f) => f.vendorPath)).toEqual(expect.arrayContaining(['category.id', 'fixed_version.id', 'parent.id', 'due_date', 'done_ratio']));
  });

  it('edits comments, lists history with its details, and keeps journals of other issues out of reach', async () => {
    const issue = (await rm.post('/issues.json', { issue: { project_id: seed.projectId, tracker_id: 1, subject: 'journals' } })).body.issue;
    const other = (await rm.post('/issues.json', { issue: { project_id: seed.projectId, tracker_id: 1, subject: 'other' } })).body.issue;
    await rm.put(`/issues/${other.id}.json`, { issue: { notes: "the other issue's comment" } });
    const comment = (await hub(`incidents/${issue.id}/comments`, { method: 'POST', json: { notes: 'first words' } })).body;
    expect(comment).toMatchObject({ id: expect.any(Number), notes: 'first words', user: { id: 1 } });
    const edited = await hub(`incidents/${issue.id}/comments/${comment.id}`, { method: 'PATCH', json: { notes: 'second words' } });
    expect(edited.body).toMatchObject({ id: comment.id, notes: 'second words' });
    expect((await hub(`incidents/${issue.id}/comments`, { method: 'POST', json: {} })).status).toBe(400);
    await rm.put(`/issues/${issue.id}.json`, { issue: { status_id: 2 } });
    const history = (await hub(`incidents/${issue.id}/history`)).body as any[];
    const statusChange = history.find((j) => j.details?.some((d: any) => d.name === 'status_id'));
    expect(statusChange.details).toContainEqual(expect.objectContaining({ property: 'attr', name: 'status_id', old_value: '1', new_value: '2' }));
    expect((await hub(`incidents/${issue.id}/history/${statusChange.id}`)).body.id).toBe(statusChange.id);
    // The comment of another issue is not this issue's to read or delete.
    const othersComment = (await rm.get(`/issues/${other.id}.json?include=journals`)).body.issue.journals[0];
    expect((await hub(`incidents/${issue.id}/comments/${othersComment.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await hub(`incidents/${issue.id}/comments/${othersComment.id}`)).status).toBe(404);
    expect((await rm.get(`/issues/${other.id}.json?include=journals`)).body.issue.journals).toHaveLength(1);
    expect((await hub(`incidents/${issue.id}/comments/${comment.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await hub(`incidents/${issue.id}/comments`)).body).toEqual([]);
  });

  it('logs work as time entries, and attaches, downloads and removes files', async () => {
    const issue = (await rm.post('/issues.json', { issue: { project_id: seed.projectId, tracker_id: 1, subject: 'work' } })).body.issue;
    const base = `incidents/${issue.id}/worklogs`;
    const logged = await hub(base, { method: 'POST', json: { hours: 1.5, activity_id: 9, comments: 'coding' } });
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    expect(logged.body).toMatchObject({ hours: 1.5, issue: { id: issue.id }, activity: { id: 9 } });
    expect((await hub(`${base}/${logged.body.id}`, { method: 'PATCH', json: { ...logged.body, hours: 2 } })).body.hours).toBe(2);
    expect((await hub(base)).body.map((t: any) => t.id)).toEqual([logged.body.id]);
    expect((await hub(`${base}/${logged.body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await hub(`${base}/${logged.body.id}`)).status).toBe(404);

    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'data.bin');
    const up = await fetch(`${server.api}/hubs/helpdesk/incidents/${issue.id}/attachments`, {
      method: 'POST',
      headers: { authorization: `${server.auth}, Element ${instance.token}` },
      body: form,
    });
    const attachment = (await up.json()) as any;
    expect(up.status, JSON.stringify(attachment)).toBe(200);
    expect(attachment).toMatchObject({ filename: 'data.bin', filesize: 3000 });
    expect((await hub(`incidents/${issue.id}/attachments`)).body.map((a: any) => a.id)).toEqual([attachment.id]);
    const download = await fetch(`${server.api}/hubs/helpdesk/attachments/${attachment.id}`, {
      headers: { authorization: `${server.auth}, Element ${instance.token}`, accept: 'application/octet-stream' },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await hub(`attachments/${attachment.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await hub(`attachments/${attachment.id}`)).status).toBe(404);
  });

  it('serves priorities, statuses, trackers, custom fields, projects and users', async () => {
    // The prepared database's one custom field (Redmine has no API that makes them).
    expect((await hub('fields')).body).toEqual([expect.objectContaining({ id: 1, name: 'Customer', customized_type: 'issue', field_format: 'string' })]);
    expect((await hub('priorities/3')).body).toMatchObject({ id: 3, name: 'High' });
    expect((await hub('priorities/99')).status).toBe(404);
    expect((await hub('statuses?where=is_closed%3Dtrue')).body.map((s: any) => s.name)).toEqual(['Closed', 'Rejected']);
    expect((await hub('incident-types')).body.map((t: any) => t.name)).toEqual(['Bug', 'Feature', 'Support']);
    const project = await hub('projects', { method: 'POST', json: { name: 'Second', identifier: 'second' } });
    expect(project.status, JSON.stringify(project.body)).toBe(200);
    expect((await hub(`projects/${project.body.id}`, { method: 'PATCH', json: { description: 'two' } })).body.description).toBe('two');
    expect((await hub('projects')).body.map((p: any) => p.identifier)).toEqual(expect.arrayContaining(['switchboard', 'second']));
    const contact = await hub('contacts', {
      method: 'POST',
      json: { login: 'jdoe', firstname: 'Jane', lastname: 'Doe', mail: 'jdoe@example.com', password: 'secret-password-1' },
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(200);
    expect((await hub(`agents?where=${encodeURIComponent("name = 'jdoe'")}`)).body.map((u: any) => u.login)).toEqual(['jdoe']);
    expect((await hub(`contacts/${contact.body.id}`, { method: 'PUT', json: { lastname: 'Roe' } })).body.lastname).toBe('Roe');
    expect((await hub(`contacts/${contact.body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await hub(`agents?where=${encodeURIComponent('admin = true')}`)).status).toBe(400);
  });

  it('polls Redmine for created and updated issues, and notifies each once, signed', async () => {
    const status = async () => (await call(`${server.api}/instances/${instance.id}/events/status`, { headers: { authorization: server.auth } })).body;
    await waitFor(async () => (await status()).lastPollDate !== null);
    const poll = () => server.services.worker.poll(instance.id);
    // Notifications only: the receiver also stood in for a server that is not Redmine.
    const notifications = () => receiver.received.filter((r) => r.json?.message);
    const mine = () => notifications().flatMap((r) => r.json.message.events.map((e: any) => `${e.eventType}:${e.objectId}`));
    await poll();
    const issue = (await rm.post('/issues.json', { issue: { project_id: seed.projectId, tracker_id: 1, subject: 'polled' } })).body.issue;
    await poll();
    await receiver
      .waitFor(() => mine().includes(`CREATED:${issue.id}`))
      .catch(async (err) => {
        const log = await call(`${server.api}/instances/${instance.id}/events`, { headers: { authorization: server.auth } });
        throw new Error(`${err.message}: ${JSON.stringify(mine())} ${JSON.stringify(await status())} ${JSON.stringify(log.body)}`);
      });
    // Redmine keeps times to the second: the change comes a second later, so it reads as an update.
    await new Promise((r) => setTimeout(r, 1100));
    await rm.put(`/issues/${issue.id}.json`, { issue: { subject: 'polled, changed' } });
    await poll();
    await poll();
    await receiver.waitFor(() => mine().includes(`UPDATED:${issue.id}`));
    expect(mine().filter((e: string) => e.endsWith(`:${issue.id}`))).toEqual([`CREATED:${issue.id}`, `UPDATED:${issue.id}`]);
    const last = notifications().at(-1)!;
    expect(last.json.message).toMatchObject({ elementKey: 'redmine', raw: { incidents: [expect.objectContaining({ subject: 'polled, changed' })] } });
    expect(last.headers['elements-webhook-signature']).toBe(`sha256=${createHmac('sha256', KEY).update(last.body).digest('base64')}`);
    // Redmine has no webhooks: asking for them is refused before anything is stored.
    const webhook = await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { 'event.vendor.type': 'webhook' } },
    });
    expect(webhook.status).toBe(400);
  });

  it('exports the selected fields of the issues a query matches, each once', async () => {
    const q = `select id, subject from incidents where tracker_id = 2 and project_id = ${seed.projectId}`;
    const started = await hub(`bulk/query?q=${encodeURIComponent(q)}`, { method: 'POST' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    let status: any;
    await waitFor(async () => {
      status = (await hub(`bulk/${started.body.id}/status`)).body;
      return !['CREATED', 'RUNNING'].includes(status.status);
    });
    const direct = (await rm.get(`/issues.json?status_id=*&tracker_id=2&project_id=${seed.projectId}&limit=100`)).body;
    expect(status).toMatchObject({ status: 'COMPLETED', recordsCount: direct.total_count });
    const csv = await fetch(`${server.api}/hubs/helpdesk/bulk/${started.body.id}/incidents`, {
      headers: { authorization: `${server.auth}, Element ${instance.token}`, accept: 'text/csv' },
    });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,subject');
    expect(
      lines
        .slice(1)
        .map((l) => Number(l.split(',')[0]))
        .sort((a, b) => a - b),
    ).toEqual(direct.issues.map((i: any) => i.id).sort((a: number, b: number) => a - b));
    const refused = await hub(`bulk/query?q=${encodeURIComponent('select * from incidents order by subject asc')}`, { method: 'POST' });
    expect(refused.status).toBe(400);
    // No bulk import is served, so none is advertised, and the route refuses one.
    const meta = (await call(`${server.api}/elements/redmine/metadata?expand=true`, { headers: { authorization: server.auth } })).body;
    const incidents = meta.resources.find((r: any) => r.canonicalName === 'incidents');
    expect([incidents.bulk.download.supported, incidents.bulk.upload.supported]).toEqual([true, false]);
    const form = new FormData();
    form.append('file', new Blob(['{"subject": "x"}'], { type: 'application/x-ndjson' }), 'rows.ndjson');
    const upload = await fetch(`${server.api}/hubs/helpdesk/bulk/incidents`, {
      method: 'POST',
      headers: { authorization: `${server.auth}, Element ${instance.token}` },
      body: form,
    });
    expect(upload.status).toBe(400);
  });

  it('records usage and traces, and caches reads, as for any element (the API key redacted)', async () => {
    const h = { authorization: server.auth };
    const on = await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: h,
      json: { traceLoggingEnabled: true, cachingEnabled: true, cacheTimeToLive: 60, maxCacheSize: 100 },
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const id = seed.issueIds[0];
    const first = await hub(`incidents/${id}`);
    const second = await hub(`incidents/${id}`);
    expect([first.headers.get('elements-cache'), second.headers.get('elements-cache')]).toEqual(['MISS', 'HIT']);
    await hub(`incidents/${id}`, { method: 'PATCH', json: { description: 'invalidates' } });
    expect((await hub(`incidents/${id}`)).headers.get('elements-cache')).toBe('MISS');
    await server.services.usage.flush();
    await server.services.traces.flush();
    const usage = await call(`${server.api}/usage/${first.headers.get('elements-request-id')}`, { headers: h });
    expect(usage.body).toMatchObject({ element_key: 'redmine', instance_id: instance.id, hub: 'helpdesk', vendor_calls: 1 });
    const trace = usage.body.traces[0];
    expect(trace).toMatchObject({ method: 'GET', status: 200, url: `${redmine.baseUrl}/issues/${id}.json` });
    expect(trace.request.headers['x-redmine-api-key']).toBe('[redacted]');
    expect(JSON.stringify(usage.body)).not.toContain(seed.apiKey);
    await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h, json: { traceLoggingEnabled: false, cachingEnabled: false } });
  });

  it('is in the catalog beside jiraonprem, with metadata and an API document from its own Redmine', async () => {
    const elements = (await call(`${server.api}/hubs/helpdesk/elements`, { headers: { authorization: server.auth } })).body as any[];
    expect(elements.map((e) => e.key)).toEqual(expect.arrayContaining(['jiraonprem', 'redmine']));
    const objects = (await hub('objects')).body;
    expect(objects).toEqual(expect.arrayContaining(['incidents', 'priorities', 'statuses', 'incident-types', 'agents', 'contacts']));
    // Users are described from the instance's own user, without the API key only it may see.
    const agent = (await hub('objects/agents/metadata')).body.fields.map((f: any) => f.vendorPath);
    expect(agent).toEqual(expect.arrayContaining(['id', 'login', 'firstname', 'lastname']));
    expect(agent).not.toContain('api_key');
    const meta = (await hub('objects/incidents/metadata')).body;
    expect(meta.fields.map((f: any) => f.vendorPath)).toEqual(expect.arrayContaining(['subject', 'project.id', 'tracker.id', 'updated_on']));
    const docs = await call(`${server.api}/instances/${instance.id}/docs`, { headers: { authorization: server.auth } });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/incidents', '/incidents/{id}/worklogs']));
    expect(Object.keys(docs.body.paths)).not.toContain('/incidents/{id}/transitions');
  });

  // Last: it switches Redmine's REST API off.
  it("says so when Redmine's REST API is switched off", async () => {
    const off = spawnSync('bin/rails', ['runner', 'Setting.rest_api_enabled = "0"'], {
      cwd: REDMINE_ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        RAILS_ENV: 'production',
        DATABASE_URL: `sqlite3:${redmine.database}`,
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(off.status, off.stderr).toBe(0);
    const refused = await createInstance({ siteAddress: redmine.baseUrl, apiKey: seed.apiKey }, 'rest off');
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/REST API is switched off/);
    expect(refused.body.providerCode).toBe(403);
  }, 60_000);
});

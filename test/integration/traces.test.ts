import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, withEmulator } from '../helpers/jira-client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * `traceLoggingEnabled`: every vendor call of the instance is recorded (method, URL, status, time,
 * headers and bodies), secrets redacted or scrubbed, linked to the API call's usage record, listed
 * per instance, kept from other organizations, stopped at once when turned off, and pruned by age
 * and by the organization's share.
 */
const SECRET = `Tr4ce-${randomUUID().slice(0, 8)}`;
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
const h = () => ({ authorization: server.auth });
const hub = () => ({ authorization: `${server.auth}, Element ${instance.token}` });
const flush = async () => {
  await server.services.usage.flush();
  await server.services.traces.flush();
};

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_TRACE_LIMIT_MB: '1' });
  jira = await withEmulator();
  // A password of its own, so that scrubbing it cannot be confused with the user name.
  expect((await jira.jira.put('/rest/api/2/user/password?username=admin', { password: SECRET })).status).toBe(204);
  const created = await call(`${server.api}/instances`, {
    method: 'POST',
    headers: h(),
    json: {
      element: { key: 'jiraonprem' },
      name: 'traced',
      traceLoggingEnabled: true,
      configuration: { username: 'admin', password: SECRET, siteAddress: jira.baseUrl },
    },
  });
  expect(created.status).toBe(200);
  expect(created.body.traceLoggingEnabled).toBe(true);
  instance = created.body;
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('trace logging', () => {
  it("records each vendor call of a hub call, linked to the call's usage record, with headers redacted", async () => {
    const read = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub() });
    expect(read.status).toBe(200);
    await flush();
    const usage = await call(`${server.api}/usage/${read.headers.get('elements-request-id')}`, { headers: h() });
    expect(usage.status).toBe(200);
    expect(usage.body.vendor_calls).toBeGreaterThanOrEqual(1);
    expect(usage.body.traces).toHaveLength(usage.body.vendor_calls);
    const trace = usage.body.traces.find((t: any) => t.url.includes('/rest/api/2/issue/CE-1'));
    expect(trace).toMatchObject({ instanceId: instance.id, requestId: read.headers.get('elements-request-id'), method: 'GET', status: 200 });
    expect(trace.url.startsWith(jira.baseUrl)).toBe(true);
    expect(trace.duration).toBeGreaterThan(0);
    expect(trace.request.headers.authorization).toBe('[redacted]');
    expect(trace.request.body).toBeNull();
    expect(trace.response.headers['content-type']).toContain('application/json');
    expect(trace.response.headers['set-cookie']).toBe('[redacted]');
    expect(trace.response.headers['x-asessionid']).toBe('[redacted]');
    expect(JSON.parse(trace.response.body).key).toBe('CE-1');
  });

  it('scrubs configured secrets from bodies and lists the instance traces newest first, paged', async () => {
    const created = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: hub(),
      json: { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: `pasted ${SECRET} by mistake` } },
    });
    expect(created.status).toBe(200);
    await flush();
    const page = await call(`${server.api}/instances/${instance.id}/traces?pageSize=2`, { headers: h() });
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(2);
    expect(Number(page.body[0].id)).toBeGreaterThan(Number(page.body[1].id));
    const all: any[] = [...page.body];
    let token = page.headers.get('elements-next-page-token');
    while (token) {
      const next = await call(`${server.api}/instances/${instance.id}/traces?nextPage=${encodeURIComponent(token)}`, { headers: h() });
      expect(next.status).toBe(200);
      all.push(...next.body);
      token = next.headers.get('elements-next-page-token');
    }
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
    const post = all.find((t) => t.method === 'POST' && t.url.endsWith('/rest/api/2/issue'));
    expect(post.request.body).toContain('pasted ******** by mistake');
    expect(post.request.headers['content-type']).toContain('application/json');
    expect(post.status).toBe(201);
  });

  it('cuts bodies at 64 KB', async () => {
    const list = await call(`${server.api}/hubs/helpdesk/incidents?pageSize=200`, { headers: hub() });
    expect(list.status).toBe(200);
    await flush();
    const usage = await call(`${server.api}/usage/${list.headers.get('elements-request-id')}`, { headers: h() });
    const search = usage.body.traces.find((t: any) => t.url.includes('/search'));
    expect(search.response.body).toMatch(/… \[cut at 65536 of \d+ bytes\]$/);
    expect(Buffer.byteLength(search.response.body)).toBeLessThan(66 * 1024);
  });

  it('traces uploads and streamed downloads, and passes the bytes through unchanged', async () => {
    const bytes = Buffer.from('traced attachment \u00e9'.repeat(50));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/plain' }), 'traced.txt');
    const up = await call(`${server.api}/hubs/helpdesk/incidents/CE-3/attachments`, { method: 'POST', headers: hub(), body: form });
    expect(up.status).toBe(200);
    const download = await fetch(`${server.api}/hubs/helpdesk/attachments/${up.body[0].id}`, {
      headers: { ...hub(), accept: 'application/octet-stream' },
      signal: AbortSignal.timeout(5000),
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    await flush();
    const usage = await call(`${server.api}/usage/${download.headers.get('elements-request-id')}`, { headers: h() });
    expect(usage.body.vendor_calls).toBeGreaterThanOrEqual(1);
    const fetched = usage.body.traces.find((t: any) => t.url.includes('/secure/attachment/'));
    expect(fetched).toMatchObject({ method: 'GET', status: 200 });
    expect(fetched.response.body).toBe(bytes.toString('utf8'));
  });

  it("traces the instance's polls, without a request id", async () => {
    const receiver = await startReceiver();
    try {
      const changed = await call(`${server.api}/instances/${instance.id}`, {
        method: 'PATCH',
        headers: h(),
        json: { configuration: { 'event.notification.enabled': true, 'event.notification.callback.url': receiver.url, 'event.poller.refresh_interval': '1' } },
      });
      expect(changed.status).toBe(200);
      await server.services.worker.poll(instance.id);
      await flush();
      const traces = (await call(`${server.api}/instances/${instance.id}/traces?pageSize=200`, { headers: h() })).body as any[];
      // The worker may poll on its own schedule too; a first poll asks Jira for its clock, where
      // later polls start from.
      const polls = traces.filter((t) => t.requestId === null);
      expect(polls.map((t) => new URL(t.url).pathname)).toContain('/rest/api/2/serverInfo');
      expect(polls.every((t) => t.instanceId === instance.id && t.status === 200)).toBe(true);
    } finally {
      await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h(), json: { configuration: { 'event.notification.enabled': false } } });
      await receiver.close();
    }
  });

  it('keeps every secret out of traces and usage records', async () => {
    await flush();
    const stored = JSON.stringify({
      traces: await server.store.db.selectFrom('vendor_traces').selectAll().execute(),
      usage: await server.store.db.selectFrom('usage').selectAll().execute(),
    });
    expect(stored).toContain('/rest/api/2/issue');
    for (const secret of [
      SECRET,
      encodeURIComponent(SECRET),
      basic('admin', SECRET).slice(6),
      instance.token,
      server.admin.userSecret,
      server.admin.organizationSecret,
    ]) {
      expect(stored).not.toContain(secret);
    }
  });

  it('shows the traces to their organization only', async () => {
    const other = await server.services.tenancy.createOrganization({ name: 'Other', adminEmail: `traces-${randomUUID().slice(0, 8)}@example.com` });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await call(`${server.api}/instances/${instance.id}/traces`, { headers: asOther })).status).toBe(404);
    const read = await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers: hub() });
    await flush();
    expect((await call(`${server.api}/usage/${read.headers.get('elements-request-id')}`, { headers: asOther })).status).toBe(404);
  });

  it('stops at once when turned off', async () => {
    const off = await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h(), json: { traceLoggingEnabled: false } });
    expect(off.body.traceLoggingEnabled).toBe(false);
    const read = await call(`${server.api}/hubs/helpdesk/incidents/CE-3`, { headers: hub() });
    expect(read.status).toBe(200);
    await flush();
    const usage = await call(`${server.api}/usage/${read.headers.get('elements-request-id')}`, { headers: h() });
    expect(usage.body.vendor_calls).toBeGreaterThanOrEqual(1);
    expect(usage.body.traces).toEqual([]);
    await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h(), json: { traceLoggingEnabled: true } });
  });

  it('stores a batch whole or not at all: a row the database refuses leaves none of its batch', async () => {
    const created_at = new Date().toISOString();
    // 250 rows go as inserts of 100, 100 and 50; the refused row is in the last of them.
    const rows = Array.from({ length: 250 }, (_, i) => ({
      organization_id: 1,
      account_id: 1,
      instance_id: instance.id,
      request_id: `atomic-${i}`,
      method: i === 249 ? (null as unknown as string) : 'GET',
      url: `${jira.baseUrl}/rest/api/2/issue/CE-1`,
      status: 200,
      error: null,
      duration_ms: 1,
      request_headers: '{}',
      request_body: null,
      response_headers: null,
      response_body: null,
      bytes: 100,
      created_at,
    }));
    await expect(server.services.traceRepo.insert(rows)).rejects.toThrow(/NOT NULL|null value/i);
    const stored = await server.store.db.selectFrom('vendor_traces').select('id').where('request_id', 'like', 'atomic-%').execute();
    expect(stored).toEqual([]);
  });

  it("deletes traces past the organization's share, oldest first, and all of them after 24 hours", async () => {
    // Each list's trace holds about 64 KB; 20 of them pass the 1 MiB share.
    for (let i = 0; i < 20; i++) expect((await call(`${server.api}/hubs/helpdesk/incidents?pageSize=200`, { headers: hub() })).status).toBe(200);
    await flush();
    const sum = async () => {
      const rows = await server.store.db.selectFrom('vendor_traces').select(['id', 'bytes']).execute();
      return { bytes: rows.reduce((n, r) => n + r.bytes, 0), oldest: Math.min(...rows.map((r) => Number(r.id))), count: rows.length };
    };
    const before = await sum();
    expect(before.bytes).toBeGreaterThan(1024 * 1024);
    expect(await server.services.traces.prune()).toBeGreaterThan(0);
    const after = await sum();
    expect(after.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(after.bytes).toBeGreaterThan(900 * 1024);
    expect(after.oldest).toBeGreaterThan(before.oldest);

    server.clock.advance(25 * 3600_000);
    await server.services.traces.prune();
    expect((await sum()).count).toBe(0);
  });
});

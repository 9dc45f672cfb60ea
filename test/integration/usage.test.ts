import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewUsage } from '../../src/usage/usage-repository.ts';
import { assertContract } from '../helpers/contracts.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** Usage records of every API call: recording, filters, paging, analytics, scope, secrets, retention. */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
const h = () => ({ authorization: server.auth });
const hub = () => ({ authorization: `${server.auth}, Element ${instance.token}` });
const usage = async (query = '', headers = h()) => call(`${server.api}/usage${query}`, { headers });
const hubRequestIds: string[] = [];
/** A record of the test organization, written straight to the repository. */
const record = (requestId: string, usageDate: string): NewUsage => ({
  request_id: requestId,
  organization_id: 1,
  account_id: 1,
  user_id: 1,
  instance_id: null,
  element_key: null,
  hub: null,
  method: 'GET',
  route: '/instances',
  request_uri: '/instances',
  status: 200,
  process_time_ms: 1,
  vendor_calls: 0,
  vendor_time_ms: 0,
  request_ip: '127.0.0.1',
  usage_date: usageDate,
});

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'usage', settings: { tags: ['metered'] } });
  for (const key of ['CE-1', 'CE-2', 'NOPE-404']) {
    const res = await call(`${server.api}/hubs/helpdesk/incidents/${key}`, { headers: hub() });
    hubRequestIds.push(res.headers.get('elements-request-id')!);
  }
  // A secret-looking query parameter: its value never reaches a record.
  await call(`${server.api}/instances?apiKey=do-not-store-this&pageSize=1`, { headers: h() });
  await server.services.usage.flush();
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('usage', () => {
  it('records every API call, newest first, with the hub, instance, route, status, times and vendor calls', async () => {
    const res = await usage();
    expect(res.status).toBe(200);
    for (const record of res.body) assertContract('usage', record);
    const dates = res.body.map((r: any) => r.traffic_date);
    expect(dates).toEqual([...dates].sort().reverse());
    const read = res.body.find((r: any) => r.request_id === hubRequestIds[0]);
    expect(read).toMatchObject({
      instance_id: instance.id,
      element_key: 'jiraonprem',
      element_name: 'Jira On Prem',
      hub: 'helpdesk',
      element_api: 'GET /hubs/:hub/incidents/:id',
      request_uri: '/hubs/helpdesk/incidents/CE-1',
      request_status: 'success',
      http_status: 200,
      vendor_calls: 1,
      request_ip: '127.0.0.1',
    });
    expect(read.vendor_time).toBeGreaterThan(0);
    expect(read.process_time).toBeGreaterThanOrEqual(read.vendor_time);
    expect(res.body.find((r: any) => r.request_id === hubRequestIds[2])).toMatchObject({ request_status: 'failed', http_status: 404 });
    // Each call counts its own vendor call, not the first call of the instance's (cached) context.
    expect(hubRequestIds.map((id) => res.body.find((r: any) => r.request_id === id)?.vendor_calls)).toEqual([1, 1, 1]);
    const created = res.body.find((r: any) => r.element_api === 'POST /instances');
    expect(created).toMatchObject({ http_status: 200 });
    expect(created.instance_id).toBeUndefined();
  });

  it('finds one record by its traffic id or by the Elements-Request-Id of the call', async () => {
    const byRequest = await usage(`/${hubRequestIds[1]}`);
    expect(byRequest.status).toBe(200);
    assertContract('usage', byRequest.body);
    expect(byRequest.body.request_uri).toBe('/hubs/helpdesk/incidents/CE-2');
    expect((await usage(`/${byRequest.body.traffic_id}`)).body.request_id).toBe(hubRequestIds[1]);
    expect((await usage('/no-such-record')).status).toBe(404);
  });

  it('filters by status, element keys, tags, hub and text, and refuses impossible date ranges', async () => {
    // This test's own calls are recorded as it runs: a `to` before them keeps the set still.
    const until = new Date().toISOString();
    await server.services.usage.flush();
    const upTo = (query: string) => usage(`${query}&to=${encodeURIComponent(until)}`);
    const failed = (await upTo('?status=failed')).body;
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r: any) => r.http_status >= 400)).toBe(true);
    const hubCalls = (await upTo('?keys[]=jiraonprem')).body;
    expect(hubCalls.map((r: any) => r.request_id).sort()).toEqual([...hubRequestIds].sort());
    expect((await upTo('?tags[]=metered')).body).toHaveLength(3);
    expect((await upTo('?tags[]=other')).body).toEqual([]);
    expect((await upTo('?hub=helpdesk')).body).toHaveLength(3);
    expect((await upTo('?searchText=CE-2')).body.map((r: any) => r.request_uri)).toEqual(['/hubs/helpdesk/incidents/CE-2']);
    // LIKE's wildcards are searched for literally: `_` is in no URI, `%` only in the redacted one.
    expect((await upTo('?searchText=_')).body).toEqual([]);
    expect((await upTo('?searchText=%25')).body.map((r: any) => r.request_uri)).toEqual(['/instances?apiKey=%5Bredacted%5D&pageSize=1']);
    const future = await usage(`?from=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}&to=2999-01-01`);
    expect(future.status).toBe(404);
    expect(future.body.message).toMatch(/future/);
    expect((await usage('?from=2026-01-02&to=2026-01-01')).status).toBe(400);
    expect((await usage('?from=yesterday')).status).toBe(400);
  });

  it('pages with pageSize, pageOffset and nextPage, each record once', async () => {
    // The walk's own calls are recorded too: a `to` before it keeps the set still. Records dated
    // before `until` are in the recorder's buffer by then, and the flush stores them.
    const until = new Date().toISOString();
    await server.services.usage.flush();
    const to = `to=${encodeURIComponent(until)}`;
    const all = (await usage(`?pageSize=1000&${to}`)).body.map((r: any) => r.traffic_id);
    expect(all.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof usage>> = await usage(next ? `?nextPage=${encodeURIComponent(next)}&${to}` : `?pageSize=2&${to}`);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((r: any) => r.traffic_id));
      next = page.headers.get('elements-next-page-token');
    } while (next);
    expect(seen).toEqual(all);
    expect((await usage(`?pageSize=2&pageOffset=1&${to}`)).body.map((r: any) => r.traffic_id)).toEqual(all.slice(1, 3));
    expect((await usage('?nextPage=bogus')).status).toBe(400);
  });

  it('counts calls per period, by outcome and by instance', async () => {
    await server.services.usage.flush();
    const total = (await usage('?pageSize=1000')).body.length;
    const times = (await usage('/analytics/times?interval=hour')).body;
    expect(times.reduce((n: number, t: any) => n + t.count, 0)).toBeGreaterThanOrEqual(total);
    expect(times[0].timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
    const statuses = (await usage('/analytics/statuses?keys[]=jiraonprem')).body;
    expect(statuses.map((s: any) => [s.status, s.count]).sort()).toEqual([
      ['failed', 1],
      ['success', 2],
    ]);
    const activity = (await usage('/analytics/activity?keys[]=jiraonprem')).body;
    expect(activity).toEqual([{ timestamp: expect.stringMatching(/T00:00:00\.000Z$/), instanceId: instance.id, count: 3 }]);
    expect((await usage(`/analytics/times?instanceId=${instance.id}`)).body.map((t: any) => t.count)).toEqual([3]);
    expect((await usage(`?instanceId=${instance.id + 1000}`)).body).toEqual([]);
  });

  it('gives the 95th percentile of process time per period', async () => {
    // Twenty calls of 1..20 ms in one hour of yesterday: 95 of 100 took at most 19 ms (nearest rank).
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const base = { organization_id: server.admin.organizationId, account_id: 1, user_id: 1, instance_id: null, element_key: null, hub: 'latency-probe' };
    await server.services.usageRepo.insert(
      Array.from({ length: 20 }, (_, i) => ({
        ...base,
        request_id: `latency-${i}`,
        method: 'GET',
        route: '/probe',
        request_uri: '/probe',
        status: 200,
        process_time_ms: 20 - i,
        vendor_calls: 0,
        vendor_time_ms: 0,
        request_ip: '127.0.0.1',
        usage_date: `${day}T10:${String(i).padStart(2, '0')}:00.000Z`,
      })),
    );
    const latency = await usage(`/analytics/latency?hub=latency-probe&interval=hour&from=${day}&to=${day}`);
    expect(latency.status).toBe(200);
    expect(latency.body).toEqual([{ timestamp: `${day}T10:00:00.000Z`, count: 20, p95: 19 }]);
    const own = (await usage(`/analytics/latency?instanceId=${instance.id}`)).body;
    expect(own).toHaveLength(1);
    const times = (await usage(`?instanceId=${instance.id}`)).body.map((r: any) => r.process_time);
    expect(own[0]).toMatchObject({ count: 3, p95: Math.max(...times) });
  });

  it('never stores a secret, a token or a password', async () => {
    const rows = await server.store.db.selectFrom('usage').selectAll().execute();
    const text = JSON.stringify(rows);
    for (const secret of [server.admin.userSecret, server.admin.organizationSecret, instance.token, 'do-not-store-this', 'admin:admin']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('apiKey=%5Bredacted%5D');
  });

  it("is the caller's organization's, and an account user's own account's", async () => {
    const other = await server.services.tenancy.createOrganization({ name: 'Usage Other', adminEmail: 'usage-other@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await usage('', asOther)).body.every((r: any) => r.company_id !== 1)).toBe(true);
    expect((await usage('?keys[]=jiraonprem', asOther)).body).toEqual([]);
    expect((await usage(`/${hubRequestIds[0]}`, asOther)).status).toBe(404);

    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'usage-acct@example.com' } });
    const user = await call(`${server.api}/accounts/${account.body.id}/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'metered@example.com', firstName: 'Me', lastName: 'Tered' },
    });
    const asAccountUser = { authorization: `User ${user.body.secret}, Organization ${server.admin.organizationSecret}` };
    await usage('', asAccountUser);
    await server.services.usage.flush();
    const own = (await usage('', asAccountUser)).body;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((r: any) => r.account_id === account.body.id)).toBe(true);
    expect((await usage(`/${hubRequestIds[0]}`, asAccountUser)).status).toBe(404);
  });

  it('counts the traffic of the element from usage', async () => {
    const meta = await call(`${server.api}/elements/jiraonprem/metadata?expand=true`, { headers: h() });
    expect(meta.body.usage.traffic).toBe(3);
  });

  it('deletes records past the retention period, in batches', async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    await server.services.usageRepo.insert(Array.from({ length: 7 }, (_, i) => record(`old-request-${i}`, old)));
    const before = (await server.store.db.selectFrom('usage').select('id').execute()).length;
    expect(await server.services.usage.prune()).toBe(7);
    expect((await server.store.db.selectFrom('usage').select('id').execute()).length).toBe(before - 7);
  });

  it('stores every record of a batch once, written as inserts of 128, 64, … 1 rows', async () => {
    const now = new Date().toISOString();
    const sizes = [0, 1, 2, 3, 127, 128, 129, 200, 255, 1000];
    for (const size of sizes) await server.services.usageRepo.insert(Array.from({ length: size }, (_, i) => record(`batch-${size}-${i}`, now)));
    const rows = await server.store.db.selectFrom('usage').select('request_id').where('request_id', 'like', 'batch-%').execute();
    const expected = sizes.flatMap((size) => Array.from({ length: size }, (_, i) => `batch-${size}-${i}`));
    expect(rows.map((r) => r.request_id).sort()).toEqual(expected.sort());
  });

  it('stores a batch whole or not at all: a row the database refuses leaves none of its batch', async () => {
    const now = new Date().toISOString();
    // 200 rows go as inserts of 128, 64 and 8; the refused row is in the last of them.
    const rows = Array.from({ length: 200 }, (_, i) => record(`atomic-${i}`, now));
    rows[199] = { ...rows[199]!, method: null as unknown as string };
    await expect(server.services.usageRepo.insert(rows)).rejects.toThrow(/NOT NULL|null value/i);
    const stored = await server.store.db.selectFrom('usage').select('id').where('request_id', 'like', 'atomic-%').execute();
    expect(stored).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { logEvent } from '../helpers/event-log.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * `GET /instances/events/analytics[/instances|/accounts]`: counts of the event log per period and
 * per instance or account, over the events the caller may see.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
const h = () => ({ authorization: server.auth });
let asAccountUser: { authorization: string };
let ownInstance: number;
let accountInstance: number;
let defaultAccount: number;
let otherAccount: number;

const get = (path: string, headers = h()) => call(`${server.api}/instances/events/analytics${path}`, { headers });
const JANUARY = 'from=2026-01-01&to=2026-01-31';

const event = (instanceId: number, at: string) => logEvent(server.store, { organizationId: server.admin.organizationId, instanceId, at });

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  const newInstance = async (headers: { authorization: string }) =>
    (await createJiraInstance(server.api, headers.authorization, jira.baseUrl, { name: 'counted' })).id;
  defaultAccount = (await call(`${server.api}/accounts`, { headers: h() })).body[0].id;
  otherAccount = (await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'counted@example.com' } })).body.id;
  const user = await call(`${server.api}/accounts/${otherAccount}/users`, {
    method: 'POST',
    headers: h(),
    json: { email: 'counted@example.com', firstName: 'C', lastName: 'U', password: 'counted-pw-1' },
  });
  asAccountUser = { authorization: `User ${user.body.secret}, Organization ${server.admin.organizationSecret}` };
  ownInstance = await newInstance(h());
  accountInstance = await newInstance(asAccountUser);
  // 2026-01-05 is a Monday; the event in February is outside every range asked for below.
  for (const at of ['2026-01-05T10:15:30.000Z', '2026-01-05T10:15:59.999Z', '2026-01-05T11:00:00.000Z', '2026-01-07T09:00:00.000Z'])
    await event(ownInstance, at);
  await event(accountInstance, '2026-01-12T09:00:00.000Z');
  await event(accountInstance, '2026-02-03T09:00:00.000Z');
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('event analytics', () => {
  it('count the events per minute, hour, day, week and month, oldest first, in [from, to)', async () => {
    const counts = async (interval: string) =>
      (await get(`?${JANUARY}&interval=${interval}`)).body.map((i: { timestamp: string; count: number }) => `${i.timestamp} ${i.count}`);
    expect(await counts('minute')).toEqual([
      '2026-01-05T10:15:00.000Z 2',
      '2026-01-05T11:00:00.000Z 1',
      '2026-01-07T09:00:00.000Z 1',
      '2026-01-12T09:00:00.000Z 1',
    ]);
    expect(await counts('hour')).toEqual([
      '2026-01-05T10:00:00.000Z 2',
      '2026-01-05T11:00:00.000Z 1',
      '2026-01-07T09:00:00.000Z 1',
      '2026-01-12T09:00:00.000Z 1',
    ]);
    expect(await counts('day')).toEqual(['2026-01-05T00:00:00.000Z 3', '2026-01-07T00:00:00.000Z 1', '2026-01-12T00:00:00.000Z 1']);
    expect(await counts('week')).toEqual(['2026-01-05T00:00:00.000Z 4', '2026-01-12T00:00:00.000Z 1']);
    expect(await counts('month')).toEqual(['2026-01-01T00:00:00.000Z 5']);
    // `to` is excluded; a date alone is its whole day.
    expect((await get('?from=2026-01-05T10:15:59.999Z&to=2026-01-05T11:00:00.000Z&interval=minute')).body).toEqual([
      { timestamp: '2026-01-05T10:15:00.000Z', count: 1 },
    ]);
    expect((await get('?from=2026-01-07&to=2026-01-07')).body).toEqual([{ timestamp: '2026-01-07T00:00:00.000Z', count: 1 }]);
  });

  it('count per instance and per account; accountIds[] keeps only accounts the caller may see', async () => {
    expect((await get(`/instances?${JANUARY}`)).body).toEqual([
      { instanceId: ownInstance, count: 4 },
      { instanceId: accountInstance, count: 1 },
    ]);
    expect((await get(`/accounts?${JANUARY}`)).body).toEqual([
      { accountId: defaultAccount, count: 4 },
      { accountId: otherAccount, count: 1 },
    ]);
    expect((await get(`/accounts?${JANUARY}&accountIds[]=${otherAccount}`)).body).toEqual([{ accountId: otherAccount, count: 1 }]);
    const none = await get(`/accounts?${JANUARY}&accountIds[]=0`);
    expect(none.status).toBe(403);
    expect(none.body).toEqual({ requestId: expect.any(String), message: 'Account 0 is not one whose events you may see' });
  });

  it("show a user outside the default account their account's events only, and another organization none", async () => {
    expect((await get(`?${JANUARY}`, asAccountUser)).body).toEqual([{ timestamp: '2026-01-12T00:00:00.000Z', count: 1 }]);
    expect((await get(`/instances?${JANUARY}`, asAccountUser)).body).toEqual([{ instanceId: accountInstance, count: 1 }]);
    expect((await get(`/accounts?${JANUARY}&accountIds[]=${otherAccount}`, asAccountUser)).status).toBe(200);
    expect((await get(`/accounts?${JANUARY}&accountIds[]=${defaultAccount}`, asAccountUser)).status).toBe(403);

    const other = await server.services.tenancy.createOrganization({ name: 'Counted Other', adminEmail: 'counted-other@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await get(`?${JANUARY}`, asOther)).body).toEqual([]);
    expect((await get(`/instances?${JANUARY}`, asOther)).body).toEqual([]);
    expect((await get(`/accounts?${JANUARY}&accountIds[]=${defaultAccount}`, asOther)).status).toBe(403);
  });

  it('refuse an interval of seconds and a range that ends before it begins', async () => {
    const second = await get(`?${JANUARY}&interval=second`);
    expect(second.status).toBe(400);
    expect(second.body.message).toMatch(/interval/);
    expect((await get('?from=2026-01-31&to=2026-01-01')).status).toBe(400);
    expect((await get('/accounts?accountIds[]=abc')).status).toBe(400);
  });
});

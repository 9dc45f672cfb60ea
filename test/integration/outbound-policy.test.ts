import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { waitFor } from '../helpers/wait.ts';

let server: TestServer;
let locked: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_DELIVERY_BASE_DELAY_MS: '0' });
  locked = await startTestServer({ SWITCHBOARD_OUTBOUND_DENY: '127.0.0.0/8' });
  jira = await withEmulator();
});
afterAll(async () => {
  await server.close();
  await locked.close();
  await jira.close();
});

const create = (on: TestServer, configuration: Record<string, unknown>) =>
  call(`${on.api}/instances`, {
    method: 'POST',
    headers: { authorization: on.auth },
    json: { element: { key: 'jiraonprem' }, name: 'outbound', configuration: { username: 'admin', password: 'admin', ...configuration } },
  });

describe('outbound policy', () => {
  it('refuses a siteAddress on a cloud metadata address, in any spelling, before any connection', async () => {
    for (const siteAddress of ['http://169.254.169.254', 'http://2851995902', 'http://[::ffff:169.254.169.254]']) {
      const started = Date.now();
      const res = await create(server, { siteAddress });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/outbound policy refuses .*link-local/);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('refuses a siteAddress that is switchboard itself', async () => {
    const res = await create(server, { siteAddress: server.origin });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/switchboard's own address/);
  });

  it('SWITCHBOARD_OUTBOUND_DENY refuses what an on-premises default would allow', async () => {
    const res = await create(locked, { siteAddress: jira.baseUrl });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/SWITCHBOARD_OUTBOUND_DENY/);
    expect((await create(server, { siteAddress: jira.baseUrl })).status).toBe(200);
  });

  it('refuses to deliver notifications to switchboard itself, and says why in the event log', async () => {
    const instance = (
      await create(server, {
        siteAddress: jira.baseUrl,
        'event.notification.enabled': true,
        'event.notification.callback.url': `${server.api}/instances`,
        'event.poller.refresh_interval': '1',
      })
    ).body;
    await waitFor(
      async () => (await call(`${server.api}/instances/${instance.id}/events/status`, { headers: { authorization: server.auth } })).body.lastPollDate !== null,
    );
    await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'to nowhere' } });
    await server.services.worker.poll(instance.id);
    const firstError = async () =>
      (await call(`${server.api}/instances/${instance.id}/events`, { headers: { authorization: server.auth } })).body[0]?.deliveries[0]?.lastError as
        | string
        | undefined;
    await waitFor(async () => (await firstError()) !== undefined && (await firstError()) !== null);
    expect(await firstError()).toMatch(/outbound policy refuses .*own address/);
  });
});

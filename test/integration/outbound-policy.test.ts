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

  it('refuses a callback URL that could never be delivered to when it is given, wherever it is given', async () => {
    const events = (url: string) => ({ siteAddress: jira.baseUrl, 'event.notification.enabled': true, 'event.notification.callback.url': url });
    const metadata = 'http://169.254.169.254/latest/meta-data';
    for (const [url, reason] of [
      [metadata, /event.notification.callback.url: switchboard's outbound policy refuses 169.254.169.254: .*link-local/],
      [`${server.api}/instances`, /event.notification.callback.url: .*switchboard's own address/],
    ] as const) {
      const res = await create(server, events(url));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(reason);
    }
    // The deny list's host names are known before DNS too.
    const denied = await startTestServer({ SWITCHBOARD_OUTBOUND_DENY: 'hooks.example.com' });
    try {
      const res = await create(denied, events('https://hooks.example.com/switchboard'));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/hooks.example.com: the host is in SWITCHBOARD_OUTBOUND_DENY/);
      const subscribed = await call(`${denied.api}/notifications/subscriptions`, {
        method: 'POST',
        headers: { authorization: denied.auth },
        json: { channel: 'webhook', topics: ['t'], config: { url: 'https://user:secret@hooks.example.com/n' } },
      });
      expect(subscribed.status).toBe(400);
      expect(subscribed.body.message).toMatch(/^config.url: .*SWITCHBOARD_OUTBOUND_DENY/);
      expect(subscribed.body.message).not.toContain('secret');
    } finally {
      await denied.close();
    }

    const instance = (await create(server, { siteAddress: jira.baseUrl })).body;
    const patched = await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { 'event.notification.enabled': true, 'event.notification.callback.url': metadata } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toMatch(/^event.notification.callback.url: .*link-local/);
    const hub = { authorization: `${server.auth}, Element ${instance.token}`, 'elements-async-callback-url': metadata };
    const exported = await call(`${server.api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select * from incidents')}`, { method: 'POST', headers: hub });
    expect(exported.status).toBe(400);
    expect(exported.body.message).toMatch(/^Elements-Async-Callback-Url: .*link-local/);
    const later = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: { ...hub, 'elements-async-request': 'true' } });
    expect(later.status).toBe(400);
    expect(later.body.message).toMatch(/^Elements-Async-Callback-Url: .*link-local/);
    const subscribed = await call(`${server.api}/notifications/subscriptions`, {
      method: 'POST',
      headers: { authorization: server.auth },
      json: { channel: 'webhook', topics: ['t'], config: { url: metadata } },
    });
    expect(subscribed.status).toBe(400);
    expect(subscribed.body.message).toMatch(/^config.url: .*link-local/);
    expect((await call(`${server.api}/hubs/helpdesk/bulk/jobs`, { headers: hub })).body).toEqual([]);
  });

  it('refuses to deliver notifications to switchboard itself under a name, and says why in the event log', async () => {
    // A name is checked when it is resolved, at each connection.
    const instance = (
      await create(server, {
        siteAddress: jira.baseUrl,
        'event.notification.enabled': true,
        'event.notification.callback.url': `${server.api.replace('127.0.0.1', 'localhost')}/instances`,
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

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { basic, withEmulator } from '../helpers/jira-client.ts';
import { createIssue as createIssueIn, createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { assertContract } from '../helpers/contracts.ts';
import { waitFor } from '../helpers/wait.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const KEY = 'sig-key-123';

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_DELIVERY_BASE_DELAY_MS: '0', SWITCHBOARD_DELIVERY_TIMEOUT_MS: '2000' });
  jira = await withEmulator({ contextPath: '/jira' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await jira.close();
  await receiver.close();
});
const created: number[] = [];
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respondWith(() => ({ status: 200 }));
});
// Every test's instances go away, so no instance polls into the next test's receiver.
afterEach(async () => {
  for (const id of created.splice(0)) await call(`${server.api}/instances/${id}`, { method: 'DELETE', headers: { authorization: server.auth } });
});

async function eventsInstance(name: string, config: Record<string, unknown>, user = 'admin') {
  const instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, {
    name,
    configuration: {
      username: user,
      password: user,
      'event.notification.enabled': true,
      'event.notification.callback.url': receiver.url,
      'event.notification.signature.key': KEY,
      'event.poller.refresh_interval': '1',
      ...config,
    },
  });
  created.push(instance.id);
  // The worker polls a new polling instance at once (taking Jira's "now" as the cursor); tests
  // poll by hand only after that, so the two never race.
  if ((config['event.vendor.type'] ?? 'polling') === 'polling') {
    await waitFor(async () => (await status(instance.id)).lastPollDate !== null);
  }
  return instance;
}
const createIssue = (summary: string, project = 'CE') => createIssueIn(jira.jira, summary, project);
const poll = (id: number) => server.services.worker.poll(id);
const status = async (id: number) => (await call(`${server.api}/instances/${id}/events/status`, { headers: { authorization: server.auth } })).body;
/** Notifications of one instance, and their events as `TYPE:objectId`. */
const mine = (instanceId: number) => receiver.received.filter((r) => r.json.message.instanceId === instanceId);
const ids = (instanceId: number) => mine(instanceId).flatMap((r) => r.json.message.events.map((e: any) => `${e.eventType}:${e.objectId}`));
const eventLog = async (instanceId: number) =>
  (await call(`${server.api}/instances/${instanceId}/events`, { headers: { authorization: server.auth } })).body as any[];
/** Every delivery of the instance's events has ended (delivered or failed for good): nothing more will be sent. */
const settled = async (instanceId: number) =>
  (await eventLog(instanceId)).every((e) => e.deliveries.every((d: any) => d.status === 'delivered' || d.status === 'failed'));

describe('polling', () => {
  it('notifies created and updated incidents once each, signed, with the documented body', async () => {
    const instance = await eventsInstance('poll', { 'event.vendor.type': 'polling' });
    await poll(instance.id);
    expect(mine(instance.id)).toHaveLength(0);
    const issue = await createIssue('polled');
    await poll(instance.id);
    await receiver.waitFor(() => mine(instance.id).length === 1);
    const r = mine(instance.id)[0]!;
    expect(r.json.message).toMatchObject({
      instanceId: instance.id,
      instanceName: 'poll',
      elementKey: 'jiraonprem',
      eventId: expect.any(String),
      events: [{ eventType: 'CREATED', objectType: 'incidents', objectId: issue.id, elementKey: 'jiraonprem', date: expect.any(String) }],
      raw: { incidents: [expect.objectContaining({ key: issue.key })] },
    });
    expect(r.headers['elements-webhook-id']).toBeTruthy();
    const ts = String(r.headers['elements-webhook-timestamp']);
    expect(r.headers['elements-webhook-signature']).toBe(`sha256=${createHmac('sha256', KEY).update(r.body).digest('base64')}`);
    expect(r.headers['elements-webhook-timestamp-signature']).toBe(`sha256=${createHmac('sha256', KEY).update(`${ts}.${r.body}`).digest('base64')}`);

    // A poll records its events before it returns: a poll that finds nothing new records nothing.
    await poll(instance.id);
    expect(await eventLog(instance.id)).toHaveLength(1);
    // Jira's clock moves past the created-check tolerance, so the change reads as an update.
    await jira.control.put('/clock', { advanceMs: 1100 });
    await jira.jira.put(`/rest/api/2/issue/${issue.key}`, { fields: { summary: 'changed' } });
    await poll(instance.id);
    await poll(instance.id);
    expect(await eventLog(instance.id)).toHaveLength(2);
    await waitFor(() => settled(instance.id));
    expect(ids(instance.id)).toEqual([`CREATED:${issue.id}`, `UPDATED:${issue.id}`]);
    const log = await eventLog(instance.id);
    for (const e of log) assertContract('event', e);
    expect(log.map((e) => e.status)).toEqual(['NOTIFIED', 'NOTIFIED']);
  });

  it('misses nothing when more changes arrive than one page holds, and batches at most 10 events', async () => {
    const instance = await eventsInstance('many', {});
    await poll(instance.id);
    const issues = [];
    for (let i = 0; i < 150; i++) issues.push(await createIssue(`bulk ${i}`, 'HELP'));
    await poll(instance.id);
    await receiver.waitFor(() => ids(instance.id).length >= 150);
    expect(mine(instance.id).every((r) => r.json.message.events.length <= 10)).toBe(true);
    expect(ids(instance.id).sort()).toEqual(issues.map((c) => `CREATED:${c.id}`).sort());
  });

  it('is not fooled by a Jira clock far behind ours or another time zone', async () => {
    // A Jira whose clock runs 3 hours behind switchboard's, with its API user in Tokyo.
    const skewed = await withEmulator({ now: Date.now() - 3 * 3600_000 });
    try {
      await skewed.control.put('/config', { userTimeZones: { admin: 'Asia/Tokyo' } });
      const instance = await createJiraInstance(server.api, server.auth, skewed.baseUrl, {
        name: 'skew',
        configuration: { 'event.notification.enabled': true, 'event.notification.callback.url': receiver.url, 'event.poller.refresh_interval': '1' },
      });
      created.push(instance.id);
      await waitFor(async () => (await status(instance.id)).lastPollDate !== null);
      const issue = await createIssueIn(skewed.jira, 'skewed', 'CE');
      await poll(instance.id);
      await receiver.waitFor(() => ids(instance.id).includes(`CREATED:${issue.id}`));
      expect(ids(instance.id)).toEqual([`CREATED:${issue.id}`]);
    } finally {
      await skewed.close();
    }
  });

  it('keeps the cursor when Jira fails, shows the error, and catches up later', async () => {
    const instance = await eventsInstance('faulty', {});
    await poll(instance.id);
    const issue = await createIssue('during outage');
    await jira.control.post('/faults', { path: '/search$', kind: 'html', status: 503, count: 1 });
    await poll(instance.id);
    expect((await status(instance.id)).lastError).toMatch(/503/);
    expect(mine(instance.id)).toHaveLength(0);
    await poll(instance.id);
    await receiver.waitFor(() => ids(instance.id).includes(`CREATED:${issue.id}`));
    expect((await status(instance.id)).lastError).toBeNull();
  });

  it('is scheduled by the worker without being asked', async () => {
    // eventsInstance waits for the worker's first poll; nobody else polls this instance.
    const instance = await eventsInstance('scheduled', {});
    const s = await status(instance.id);
    expect(s).toMatchObject({ enabled: true, type: 'polling', intervalMinutes: 1 });
    expect(s.lastPollDate).not.toBeNull();
    expect(Date.parse(s.nextPollDate)).toBeGreaterThan(Date.now() + 30_000);
  });
});

describe('rejected credentials', () => {
  it('stop polling at the first 401, never reaching the lockout, and polling resumes after a PATCH of the credentials', async () => {
    const name = `rotated${Date.now()}`;
    await jira.jira.post('/rest/api/2/user', { name, password: 'first-pass', emailAddress: `${name}@example.com`, displayName: 'Rotated' });
    const instance = await eventsInstance('rotated', { username: name, password: 'first-pass' });
    // The password changes in Jira behind switchboard's back.
    expect((await jira.jira.put(`/rest/api/2/user/password?username=${name}`, { password: 'second-pass' })).status).toBe(204);
    for (let i = 0; i < 5; i++) await poll(instance.id);
    const user = (await jira.control.get(`/users/${name}`)).body;
    expect(user).toMatchObject({ failedLogins: 1, captcha: false });
    const read = async () => (await call(`${server.api}/instances/${instance.id}`, { headers: { authorization: server.auth } })).body;
    expect((await read()).valid).toBe(false);
    expect((await status(instance.id)).lastError).toMatch(/credentials/);

    const patched = await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { password: 'second-pass' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.valid).toBe(true);
    await poll(instance.id);
    await createIssue('after the new password');
    await poll(instance.id);
    await receiver.waitFor(() => ids(instance.id).length > 0);
  });

  it("stop polling at Jira's CAPTCHA lockout (a 403 with its header) too", async () => {
    const name = `captcha${Date.now()}`;
    await jira.jira.post('/rest/api/2/user', { name, password: 'right-pass', emailAddress: `${name}@example.com`, displayName: 'Locked' });
    const instance = await eventsInstance('captcha', { username: name, password: 'right-pass' });
    // Someone else fails to log in as this user until Jira asks for a CAPTCHA.
    for (let i = 0; i < 3; i++) await jira.jira.get('/rest/api/2/myself', { auth: basic(name, 'wrong') });
    await poll(instance.id);
    expect((await call(`${server.api}/instances/${instance.id}`, { headers: { authorization: server.auth } })).body.valid).toBe(false);
    expect((await status(instance.id)).lastError).toMatch(/CAPTCHA/);
  });
});

describe('Jira webhooks', () => {
  it("registers the webhook in Jira (admin), receives Jira's deliveries, and removes it on delete", async () => {
    const instance = await eventsInstance('hooked', { 'event.vendor.type': 'webhook' });
    const s = await status(instance.id);
    expect(s).toMatchObject({ type: 'webhook', webhookRegistration: 'auto' });
    expect(s.webhookUrl).toMatch(new RegExp(`/elements/api-v2/events/jiraonprem/${Buffer.from(String(instance.id)).toString('base64')}/[\\w-]+$`));
    const registered = (await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body;
    expect(registered.filter((h: any) => h.url === s.webhookUrl)).toHaveLength(1);
    // Updating the instance again does not register a second webhook.
    await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { 'event.poller.refresh_interval': '2' } },
    });
    expect((await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body.filter((h: any) => h.url === s.webhookUrl)).toHaveLength(1);

    const issue = await createIssue('via webhook');
    await receiver.waitFor(() => ids(instance.id).includes(`CREATED:${issue.id}`));
    const n = mine(instance.id).find((r) => r.json.message.events[0].objectId === issue.id)!;
    expect(n.json.message.raw).toMatchObject({ webhookEvent: 'jira:issue_created', issue: { key: issue.key } });

    const wrong = await fetch(s.webhookUrl.replace(/\/[\w-]+$/, '/not-the-secret'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    const foreign = await fetch(s.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        webhookEvent: 'jira:issue_created',
        timestamp: 1,
        issue: { id: '1', self: 'https://evil.example.com/rest/api/2/issue/1', fields: {} },
      }),
    });
    expect(foreign.status).toBe(200);
    // Jira's payload holds the whole issue with every comment: far above the API's body limit.
    const comments = Array.from({ length: 2500 }, (_, i) => ({ id: String(i), body: `comment ${i} `.padEnd(1000, '.') }));
    const large = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now(),
      issue: { id: issue.id, self: `${jira.baseUrl}/rest/api/2/issue/${issue.id}`, fields: { updated: 'now', comment: { comments } } },
    });
    expect(large.length).toBeGreaterThan(2 * 1024 * 1024);
    expect((await fetch(s.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: large })).status).toBe(200);
    await receiver.waitFor(() => ids(instance.id).includes(`UPDATED:${issue.id}`));
    // Without the secret, the same body is refused before it is read.
    expect(
      (await fetch(s.webhookUrl.replace(/\/[\w-]+$/, '/not-the-secret'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: large }))
        .status,
    ).toBe(401);

    await call(`${server.api}/instances/${instance.id}`, { method: 'DELETE', headers: { authorization: server.auth } });
    created.splice(created.indexOf(instance.id), 1);
    expect((await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body.filter((h: any) => h.url === s.webhookUrl)).toHaveLength(0);
  });

  it('catches up by polling on what Jira could not deliver, and never delivers a change twice', async () => {
    const instance = await eventsInstance('catch-up', { 'event.vendor.type': 'webhook' });
    // The catch-up poll at creation takes Jira's "now" as its starting point.
    await waitFor(async () => (await status(instance.id)).lastPollDate !== null);
    const before = await createIssue('delivered by the webhook');
    await receiver.waitFor(() => ids(instance.id).includes(`CREATED:${before.id}`));
    // Jira stops reaching switchboard (here: its webhook is gone); Jira does not retry.
    const s = await status(instance.id);
    const hook = (await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body.find((h: any) => h.url === s.webhookUrl);
    expect((await jira.jira.delete(`/rest/jira-webhook/1.0/webhooks/${hook.id}`)).status).toBe(204);
    const missed = [await createIssue('missed 1'), await createIssue('missed 2')];
    // Later than a second after its creation, so that the change reads as an update.
    await jira.control.put('/clock', { advanceMs: 1100 });
    await jira.jira.put(`/rest/api/2/issue/${before.key}`, { fields: { summary: 'changed while unreachable' } });
    // A worker that starts makes every webhook source's catch-up due at once, and its tick runs it.
    const polledBefore = (await status(instance.id)).lastPollDate;
    await server.services.eventRepo.catchUpWebhooks(server.clock.now());
    await waitFor(async () => (await status(instance.id)).lastPollDate !== polledBefore);
    await receiver.waitFor(() => missed.every((m) => ids(instance.id).includes(`CREATED:${m.id}`)) && ids(instance.id).includes(`UPDATED:${before.id}`));
    await poll(instance.id);
    await waitFor(() => settled(instance.id));
    const all = ids(instance.id);
    expect(all.filter((e) => e === `CREATED:${before.id}`)).toHaveLength(1);
    expect(all.filter((e) => e === `UPDATED:${before.id}`)).toHaveLength(1);
    for (const m of missed) expect(all.filter((e) => e === `CREATED:${m.id}`)).toHaveLength(1);
  });

  it('without Jira admin rights, shows the URL to register by hand, which then works (9.x API)', async () => {
    await jira.control.put('/config', { version: '9.12.2' });
    const instance = await eventsInstance('manual', { 'event.vendor.type': 'webhook' }, 'jiradev');
    const s = await status(instance.id);
    expect(s.webhookRegistration).toBe('manual');
    const reg = await jira.jira.post('/rest/webhooks/1.0/webhook', { name: 'by hand', url: s.webhookUrl, events: ['jira:issue_updated'], enabled: true });
    expect(reg.status).toBe(201);
    await jira.jira.put('/rest/api/2/issue/CE-9', { fields: { summary: 'touched' } });
    const target = (await jira.jira.get('/rest/api/2/issue/CE-9')).body.id;
    await receiver.waitFor(() => ids(instance.id).includes(`UPDATED:${target}`));
    await jira.jira.del(reg.body.self.replace(jira.baseUrl, ''));
    await jira.control.put('/config', { version: '10.3.17' });
  });
});

describe('deliveries', () => {
  it('keeps the user info of a callback URL out of every answer and the database, and sends it as Basic auth', async () => {
    const withCredentials = receiver.url.replace('http://', 'http://hook-user:s3cret%21pw@');
    const instance = await eventsInstance('userinfo', { 'event.notification.callback.url': withCredentials });
    const shown = receiver.url.replace('http://', 'http://********@');
    const read = (path: string) => call(`${server.api}${path}`, { headers: { authorization: server.auth } });
    expect((await read(`/instances/${instance.id}`)).body.configuration['event.notification.callback.url']).toBe(shown);
    const entries = (await read(`/instances/${instance.id}/configuration`)).body as { key: string; propertyValue: string }[];
    expect(entries.find((e) => e.key === 'event.notification.callback.url')!.propertyValue).toBe(shown);
    // A client that sends the masked URL back keeps the stored one.
    const patched = await call(`${server.api}/instances/${instance.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { 'event.notification.callback.url': shown } },
    });
    expect(patched.status).toBe(200);
    await poll(instance.id);
    await createIssue('with user info');
    await poll(instance.id);
    await receiver.waitFor(() => mine(instance.id).length === 1);
    expect(mine(instance.id)[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:s3cret!pw').toString('base64')}`);
    await waitFor(() => settled(instance.id));
    const log = await eventLog(instance.id);
    expect(log[0].deliveries[0].url).toBe(shown);
    const stored = await server.store.db.selectFrom('deliveries').selectAll().where('instance_id', '=', instance.id).execute();
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) {
      expect(JSON.stringify(row)).not.toContain('s3cret');
      expect(row.url_enc).toMatch(/^v1\./);
    }
  });

  it('seals the plain URLs of deliveries written before URLs were sealed', async () => {
    const instance = await eventsInstance('legacy', {});
    await poll(instance.id);
    await createIssue('legacy delivery');
    await poll(instance.id);
    await waitFor(() => settled(instance.id));
    const legacy = receiver.url.replace('http://', 'http://old-user:old-pass@');
    await server.store.db.updateTable('deliveries').set({ url: legacy, url_enc: null }).where('instance_id', '=', instance.id).execute();
    expect(await server.services.eventRepo.sealPlainDeliveryUrls()).toBeGreaterThan(0);
    expect(await server.services.eventRepo.sealPlainDeliveryUrls()).toBe(0);
    const row = await server.store.db.selectFrom('deliveries').selectAll().where('instance_id', '=', instance.id).executeTakeFirstOrThrow();
    expect(row.url).toBe(receiver.url.replace('http://', 'http://********@'));
    expect(server.services.eventRepo.sendUrl(row)).toBe(legacy);
  });

  it('retries failed deliveries, honours Retry-After, then delivers; the log shows the attempts', async () => {
    const instance = await eventsInstance('retry', {});
    receiver.respondWith((r) => {
      const n = mine(instance.id).length;
      if (r.json.message.instanceId !== instance.id) return { status: 200 };
      return n === 1 ? { status: 500 } : n === 2 ? { status: 503, headers: { 'Retry-After': '1' } } : { status: 200 };
    });
    await poll(instance.id);
    await createIssue('retried');
    await poll(instance.id);
    await receiver.waitFor(() => mine(instance.id).length === 3);
    const tries = mine(instance.id);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(900);
    expect(new Set(tries.map((r) => r.headers['elements-webhook-id'])).size).toBe(1);
    await waitFor(() => settled(instance.id));
    const log = await eventLog(instance.id);
    expect(log[0]).toMatchObject({ status: 'NOTIFIED', deliveries: [{ status: 'delivered', attempts: 3, lastStatus: 200 }] });
  });

  it('counts an attempt answered with an absurd Retry-After, and one that failed before sending', async () => {
    const instance = await eventsInstance('overflow', {});
    receiver.respondWith((r) =>
      r.json.message.instanceId === instance.id ? { status: 503, headers: { 'Retry-After': '100000000000000000000' } } : { status: 200 },
    );
    await poll(instance.id);
    await createIssue('retry-after overflow');
    await poll(instance.id);
    await waitFor(async () => (await eventLog(instance.id))[0]?.deliveries[0]?.attempts === 1);
    const [event] = await eventLog(instance.id);
    const delivery = event.deliveries[0];
    expect(delivery).toMatchObject({ status: 'pending', lastStatus: 503 });
    // Clamped to an hour, never an invalid date.
    expect(Date.parse(delivery.nextAttemptDate) - Date.now()).toBeLessThanOrEqual(3_600_000 + 60_000);
    // A delivery whose sealed URL cannot be opened fails before its POST: still one attempt more.
    await server.store.db
      .updateTable('deliveries')
      .set({ url_enc: 'v1.broken', status: 'pending', next_attempt_at: new Date(0).toISOString() })
      .where('id', '=', delivery.id)
      .execute();
    // The worker's tick may take it first; either way the attempt is counted.
    await server.services.events.deliver(delivery.id);
    await waitFor(async () => (await eventLog(instance.id))[0].deliveries[0].attempts >= 2);
    // Retried without delay here (base delay 0), so later attempts may have run as well.
    const after = (await eventLog(instance.id))[0].deliveries[0];
    expect(after.lastError).toMatch(/could not be sent/);
  });

  it('marks a delivery failed after 9 attempts; redelivery through the API sends it again', async () => {
    const instance = await eventsInstance('failing', {});
    let healthy = false;
    receiver.respondWith((r) => ({ status: r.json.message.instanceId === instance.id && !healthy ? 500 : 200 }));
    await poll(instance.id);
    await createIssue('never accepted');
    await poll(instance.id);
    // Marked failed only after the ninth answer: from then on nothing more is sent.
    await waitFor(async () => (await eventLog(instance.id))[0]?.status === 'FAILED', 30_000);
    expect(mine(instance.id)).toHaveLength(9);
    const [event] = await eventLog(instance.id);
    expect(event).toMatchObject({ status: 'FAILED', deliveries: [{ status: 'failed', attempts: 9 }] });
    healthy = true;
    const again = await call(`${server.api}/instances/events/${event.id}/redeliver`, { method: 'POST', headers: { authorization: server.auth } });
    expect(again.status).toBe(200);
    await waitFor(
      async () => (await call(`${server.api}/instances/events/${event.id}`, { headers: { authorization: server.auth } })).body.status === 'NOTIFIED',
    );
    expect(mine(instance.id)).toHaveLength(10);
    const other = await server.services.tenancy.createOrganization({ name: 'Events Other', adminEmail: 'events-other@example.com' });
    expect(
      (
        await call(`${server.api}/instances/events/${event.id}`, {
          headers: { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` },
        })
      ).status,
    ).toBe(404);
  });

  it("with the account's queue policy, a failed delivery is not retried: it waits as queued until redelivered", async () => {
    const h = { authorization: server.auth };
    const account = (await call(`${server.api}/accounts`, { headers: h })).body.find((a: any) => a.defaultAccount);
    const settings = `${server.api}/accounts/${account.id}/settings`;
    expect((await call(settings, { headers: h })).body).toEqual({ 'notification.webhook.failure.policy': 'retry' });
    for (const json of [{ 'notification.webhook.failure.policy': 'later' }, { 'notification.webhook.retries': 3 }]) {
      const refused = await call(settings, { method: 'PATCH', headers: h, json });
      expect(refused.status, JSON.stringify(json)).toBe(400);
    }
    const other = await server.services.tenancy.createOrganization({ name: 'Settings Other', adminEmail: 'settings-other@example.com' });
    const otherAuth = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await call(settings, { method: 'PATCH', headers: otherAuth, json: { 'notification.webhook.failure.policy': 'queue' } })).status).toBe(404);
    const set = await call(settings, { method: 'POST', headers: h, json: { 'notification.webhook.failure.policy': 'queue' } });
    expect(set.body).toEqual({ 'notification.webhook.failure.policy': 'queue' });
    try {
      const instance = await eventsInstance('queued', {});
      let healthy = false;
      receiver.respondWith((r) => ({ status: r.json.message.instanceId === instance.id && !healthy ? 503 : 200 }));
      await poll(instance.id);
      await createIssue('queued, not retried');
      await poll(instance.id);
      await waitFor(async () => (await eventLog(instance.id))[0]?.status === 'FAILED');
      const [event] = await eventLog(instance.id);
      // One attempt, and no retry scheduled: `queued` is left only by a redelivery.
      expect(event).toMatchObject({ status: 'FAILED', deliveries: [{ status: 'queued', attempts: 1, lastStatus: 503 }] });
      expect(mine(instance.id)).toHaveLength(1);
      healthy = true;
      const again = await call(`${server.api}/instances/events/${event.id}/redeliver`, { method: 'POST', headers: h });
      expect(again.status).toBe(200);
      await waitFor(async () => (await call(`${server.api}/instances/events/${event.id}`, { headers: h })).body.status === 'NOTIFIED');
      expect(mine(instance.id)).toHaveLength(2);
    } finally {
      await call(settings, { method: 'PATCH', headers: h, json: { 'notification.webhook.failure.policy': 'retry' } });
    }
  });

  it("a callback that hangs never blocks other instances' deliveries", async () => {
    const slowReceiver = await startReceiver();
    slowReceiver.respondWith(() => ({ status: 200, hang: true }));
    try {
      const slow = await eventsInstance('slow-callback', { 'event.notification.callback.url': slowReceiver.url });
      const fast = await eventsInstance('fast-callback', {});
      await poll(slow.id);
      await poll(fast.id);
      const issue = await createIssue('both see it');
      await poll(slow.id);
      await poll(fast.id);
      await receiver.waitFor(() => ids(fast.id).includes(`CREATED:${issue.id}`));
      expect(slowReceiver.received.length).toBeGreaterThanOrEqual(1);
    } finally {
      await slowReceiver.close();
    }
  });

  it('rejects bad event configuration at create and update', async () => {
    const res = await call(`${server.api}/instances`, {
      method: 'POST',
      headers: { authorization: server.auth },
      json: {
        element: { key: 'jiraonprem' },
        name: 'bad',
        configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl, 'event.notification.enabled': true },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/callback.url is required/);
    const ok = await eventsInstance('to-break', {});
    const bad = await call(`${server.api}/instances/${ok.id}`, {
      method: 'PATCH',
      headers: { authorization: server.auth },
      json: { configuration: { 'event.poller.refresh_interval': '0' } },
    });
    expect(bad.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const h = () => ({ authorization: server.auth });
const api = (path: string) => `${server.api}${path}`;
const subscribe = (json: unknown, headers = h()) => call(api('/notifications/subscriptions'), { method: 'POST', headers, json });
const post = (json: unknown, headers = h()) => call(api('/notifications'), { method: 'POST', headers, json });
const deliveries = (where: string, headers = h()) => call(api(`/notifications/subscriptions/deliveries?where=${encodeURIComponent(where)}`), { headers });

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_DELIVERY_BASE_DELAY_MS: '0', SWITCHBOARD_DELIVERY_TIMEOUT_MS: '2000' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

describe('platform notifications', () => {
  it('are POSTed to each subscription to their topic, listed, acknowledged and deleted', async () => {
    const withCredentials = receiver.url.replace('http://', 'http://hook-user:hook-pass@');
    const sub = await subscribe({ channel: 'webhook', topics: ['sync.failed', 'sync.done'], config: { url: withCredentials } });
    expect(sub.status).toBe(200);
    expect(sub.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      channel: 'webhook',
      topics: ['sync.failed', 'sync.done'],
      config: { url: receiver.url.replace('http://', 'http://********@') },
      active: true,
      accountId: expect.any(Number),
      createdDate: expect.any(String),
    });
    expect(JSON.stringify(await server.store.db.selectFrom('notification_subscriptions').selectAll().execute())).not.toContain('hook-pass');

    const sent = await post({ topic: 'sync.failed', severity: 'high', message: 'The nightly sync stopped', from: 'sync-service' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ topic: 'sync.failed', severity: 'high', message: 'The nightly sync stopped', from: 'sync-service', acknowledged: false });
    const quiet = await post({ topic: 'other.topic', message: 'nobody hears this' });
    expect(quiet.body.severity).toBe('low');

    await receiver.waitFor((all) => all.length === 1);
    const [got] = receiver.received;
    expect(got!.json).toEqual(sent.body);
    expect(got!.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:hook-pass').toString('base64')}`);
    const listed = await deliveries(`notificationId='${sent.body.id}'`);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: got!.headers['elements-webhook-id'], subscriptionId: sub.body.id, status: 'delivered', attempts: 1, lastStatus: 200 }),
    ]);
    expect((await deliveries(`notificationId='${quiet.body.id}'`)).body).toEqual([]);
    // A URL matches as shown or with its credentials.
    for (const url of [sub.body.config.url, withCredentials])
      expect((await deliveries(`config.url='${url}' and status='delivered'`)).body.map((d: { id: string }) => d.id)).toEqual([listed.body[0].id]);

    const all = await call(api('/notifications'), { headers: h() });
    expect(all.body.map((n: { id: string }) => n.id)).toEqual([quiet.body.id, sent.body.id]);
    const onTopic = await call(api('/notifications?topics[]=sync.failed'), { headers: h() });
    expect(onTopic.body).toEqual([sent.body]);
    const acknowledged = await call(api(`/notifications/${sent.body.id}/acknowledge`), { method: 'PUT', headers: h() });
    expect(acknowledged.body).toEqual({ ...sent.body, acknowledged: true });
    expect((await call(api('/notifications?acknowledged=false'), { headers: h() })).body).toEqual([quiet.body]);
    const paged = await call(api('/notifications?pageSize=1'), { headers: h() });
    const next = await call(api(`/notifications?nextPage=${paged.headers.get('elements-next-page-token')}`), { headers: h() });
    expect([...paged.body, ...next.body].map((n: { id: string }) => n.id)).toEqual([quiet.body.id, sent.body.id]);

    expect((await call(api(`/notifications/${quiet.body.id}`), { method: 'DELETE', headers: h() })).status).toBe(200);
    expect((await call(api(`/notifications/${quiet.body.id}`), { headers: h() })).status).toBe(404);
    expect((await call(api(`/notifications/subscriptions/${sub.body.id}`), { method: 'DELETE', headers: h() })).status).toBe(200);
    expect((await call(api(`/notifications/subscriptions/${sub.body.id}`), { headers: h() })).status).toBe(404);
    expect((await deliveries(`notificationId='${sent.body.id}'`)).body).toEqual([]);
  });

  it('refuses what it cannot deliver with a 400 that says why', async () => {
    const cases: [unknown, RegExp][] = [
      [{ channel: 'email', topics: ['t'], config: { url: receiver.url } }, /channel/],
      [{ channel: 'webhook', topics: ['t'], config: { url: null } }, /config.url is required/],
      [
        { channel: 'webhook', topics: ['t'], config: { url: 'ftp://hook-user:hook-pass@example.com/x' } },
        /^config.url "ftp:\/\/\*\*\*\*\*\*\*\*@example.com\/x" is not an http\(s\) URL$/,
      ],
      [{ channel: 'webhook', topics: ['t'], config: { url: 'http://hook-user:hook-pass@[bad/x' } }, /^config.url is not a URL$/],
      [{ channel: 'webhook', topics: [], config: { url: receiver.url } }, /topics/],
      [{ channel: 'webhook', topics: ['t'], config: { url: receiver.url, secret: 'x' } }, /secret|additional/],
    ];
    for (const [json, message] of cases) {
      const res = await subscribe(json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body).toEqual({ requestId: expect.any(String), message: expect.stringMatching(message) });
    }
    expect((await post({ topic: '', message: 'x' })).status).toBe(400);
    expect((await post({ topic: 't', message: 'x', severity: 'urgent' })).status).toBe(400);
    // At most 100 subscriptions per organization (another one here, so the others' tests are not full).
    const full = await server.services.tenancy.createOrganization({ name: 'Full', adminEmail: 'full@example.com' });
    const asFull = { authorization: `User ${full.userSecret}, Organization ${full.organizationSecret}` };
    for (let i = 0; i < 100; i++) expect((await subscribe({ channel: 'webhook', topics: [`t${i}`], config: { url: receiver.url } }, asFull)).status).toBe(200);
    const tooMany = await subscribe({ channel: 'webhook', topics: ['t'], config: { url: receiver.url } }, asFull);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/at most 100 notification subscriptions/);
    const badWhere = await deliveries("password='x'");
    expect(badWhere.status).toBe(400);
    expect(badWhere.body.message).toMatch(/cannot be filtered by password/);
  });

  it('retries a failing receiver, then deactivates the subscription, queues what follows and sends it all again on PUT', async () => {
    let failing = true;
    receiver.respondWith((r) =>
      r.json?.topic === 'retried' && receiver.received.filter((x) => x.json?.topic === 'retried').length < 3
        ? { status: 503 }
        : failing && r.json?.topic === 'broken'
          ? { status: 500 }
          : { status: 200 },
    );
    const sub = await subscribe({ channel: 'webhook', topics: ['retried', 'broken'], config: { url: receiver.url } });

    const retried = await post({ topic: 'retried', message: 'third time lucky' });
    await waitFor(async () => (await deliveries(`notificationId='${retried.body.id}'`)).body[0]?.status === 'delivered');
    expect((await deliveries(`notificationId='${retried.body.id}'`)).body[0]).toMatchObject({ attempts: 3, lastStatus: 200, lastError: null });

    const broken = await post({ topic: 'broken', message: 'never taken' });
    await waitFor(async () => (await deliveries(`notificationId='${broken.body.id}'`)).body[0]?.status === 'failed');
    expect((await deliveries(`notificationId='${broken.body.id}'`)).body[0]).toMatchObject({
      attempts: 9,
      lastStatus: 500,
      lastError: 'the callback answered HTTP 500',
    });
    expect((await call(api(`/notifications/subscriptions/${sub.body.id}`), { headers: h() })).body.active).toBe(false);
    const counted = (await call(`${server.origin}/metrics`)).text;
    const outcome = (name: string) => Number(counted.match(new RegExp(`^switchboard_notification_deliveries_total\\{outcome="${name}"\\} (\\d+)$`, 'm'))?.[1]);
    expect(outcome('failed')).toBe(1);
    expect(outcome('retrying')).toBeGreaterThanOrEqual(2 + 8);
    expect(outcome('delivered')).toBeGreaterThanOrEqual(2);

    // Deactivated: the next one waits, unsent (a queued delivery is never taken by a sender).
    const waiting = await post({ topic: 'retried', message: 'waits' });
    const queued = await deliveries(`channel='webhook' and status='queued' and config.url='${receiver.url}'`);
    expect(queued.body).toEqual([expect.objectContaining({ notificationId: waiting.body.id, status: 'queued', attempts: 0 })]);

    failing = false;
    const again = await call(api(`/notifications/subscriptions/deliveries?where=${encodeURIComponent(`config.url='${receiver.url}'`)}`), {
      method: 'PUT',
      headers: h(),
    });
    expect(again.body).toEqual({ redelivered: 2 });
    await waitFor(async () => (await deliveries(`subscriptionId='${sub.body.id}' and status='delivered'`)).body.length === 3);
    expect((await call(api(`/notifications/subscriptions/${sub.body.id}`), { headers: h() })).body.active).toBe(true);
    expect(receiver.received.filter((r) => r.json?.id === waiting.body.id)).toHaveLength(1);
    await call(api(`/notifications/subscriptions/${sub.body.id}`), { method: 'DELETE', headers: h() });
    receiver.respondWith(() => ({ status: 200 }));
  });

  it("follows the account's queue policy: a failed delivery waits for a redelivery", async () => {
    const account = (await call(api('/accounts'), { headers: h() })).body.find((a: { defaultAccount: boolean }) => a.defaultAccount);
    const settings = api(`/accounts/${account.id}/settings`);
    await call(settings, { method: 'PATCH', headers: h(), json: { 'notification.webhook.failure.policy': 'queue' } });
    try {
      receiver.respondWith(() => ({ status: 503 }));
      const sub = await subscribe({ channel: 'webhook', topics: ['queued.topic'], config: { url: receiver.url } });
      const n = await post({ topic: 'queued.topic', message: 'once' });
      await waitFor(async () => (await deliveries(`notificationId='${n.body.id}'`)).body[0]?.status === 'queued');
      expect((await deliveries(`notificationId='${n.body.id}'`)).body[0]).toMatchObject({ attempts: 1, lastStatus: 503 });
      // Queued by policy, not failed for good: the subscription stays active.
      expect((await call(api(`/notifications/subscriptions/${sub.body.id}`), { headers: h() })).body.active).toBe(true);
      receiver.respondWith(() => ({ status: 200 }));
      const again = await call(api(`/notifications/subscriptions/deliveries?where=${encodeURIComponent(`notificationId='${n.body.id}'`)}`), {
        method: 'PUT',
        headers: h(),
      });
      expect(again.body).toEqual({ redelivered: 1 });
      await waitFor(async () => (await deliveries(`notificationId='${n.body.id}'`)).body[0]?.status === 'delivered');
    } finally {
      await call(settings, { method: 'PATCH', headers: h(), json: { 'notification.webhook.failure.policy': 'retry' } });
      receiver.respondWith(() => ({ status: 200 }));
    }
  });

  it("keeps an account's notifications to itself, and to the organization's own subscriptions", async () => {
    const account = await call(api('/accounts'), { method: 'POST', headers: h(), json: { externalId: 'notified@example.com' } });
    const member = await call(api(`/accounts/${account.body.id}/users`), {
      method: 'POST',
      headers: h(),
      json: { email: 'member@example.com', password: 'member-pass-1' },
    });
    const asMember = { authorization: `User ${member.body.secret}, Organization ${server.admin.organizationSecret}` };
    const orgWide = await subscribe({ channel: 'webhook', topics: ['account.topic'], config: { url: `${receiver.url}?org` } });
    const own = await subscribe({ channel: 'webhook', topics: ['account.topic'], config: { url: `${receiver.url}?member` } }, asMember);
    expect(own.status).toBe(200);

    const fromAdmin = await post({ topic: 'account.topic', message: 'from the default account' });
    const fromMember = await post({ topic: 'account.topic', message: 'from the account' }, asMember);
    await waitFor(async () => (await deliveries("topic='account.topic' and status='delivered'")).body.length === 3);
    const byNotification = (await deliveries("topic='account.topic'")).body.map((d: { notificationId: string; subscriptionId: string }) => [
      d.notificationId,
      d.subscriptionId,
    ]);
    expect(byNotification.sort()).toEqual(
      [
        [fromAdmin.body.id, orgWide.body.id],
        [fromMember.body.id, orgWide.body.id],
        [fromMember.body.id, own.body.id],
      ].sort(),
    );
    // The member sees their account's notifications, subscriptions and deliveries, and nothing else.
    expect((await call(api('/notifications'), { headers: asMember })).body.map((n: { id: string }) => n.id)).toEqual([fromMember.body.id]);
    expect((await call(api(`/notifications/${fromAdmin.body.id}`), { headers: asMember })).status).toBe(404);
    expect((await call(api('/notifications/subscriptions'), { headers: asMember })).body.map((s: { id: string }) => s.id)).toEqual([own.body.id]);
    expect((await call(api(`/notifications/subscriptions/${orgWide.body.id}`), { method: 'DELETE', headers: asMember })).status).toBe(404);
    expect((await deliveries("topic='account.topic'", asMember)).body.map((d: { subscriptionId: string }) => d.subscriptionId)).toEqual([own.body.id]);

    // Another organization sees none of it.
    const other = await server.services.tenancy.createOrganization({ name: 'Elsewhere', adminEmail: 'elsewhere@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await call(api('/notifications'), { headers: asOther })).body).toEqual([]);
    expect((await call(api('/notifications/subscriptions'), { headers: asOther })).body).toEqual([]);
    expect((await deliveries("topic='account.topic'", asOther)).body).toEqual([]);
    expect((await call(api(`/notifications/${fromMember.body.id}/acknowledge`), { method: 'PUT', headers: asOther })).status).toBe(404);
    // Its notification on the same topic makes no delivery to this organization's subscriptions.
    const elsewhere = await post({ topic: 'account.topic', message: 'from elsewhere' }, asOther);
    expect(await server.store.db.selectFrom('notification_deliveries').selectAll().where('notification_id', '=', elsewhere.body.id).execute()).toEqual([]);
  });

  // Last: it moves the server's clock a month on.
  it('finds again a delivery whose queued attempt was lost, and deletes notifications after 30 days', async () => {
    const sub = await subscribe({ channel: 'webhook', topics: ['recovered'], config: { url: receiver.url } });
    // As a process leaves them that stopped while a delivery's attempt ran (its job gone with it),
    // or a redelivery whose queueing failed.
    const at = new Date(server.clock.now().getTime() - 120_000).toISOString();
    const organizationId = (
      await server.store.db.selectFrom('notification_subscriptions').select('organization_id').where('id', '=', sub.body.id).executeTakeFirstOrThrow()
    ).organization_id;
    const account = (await call(api('/accounts'), { headers: h() })).body.find((a: { defaultAccount: boolean }) => a.defaultAccount);
    const id = 'a'.repeat(24);
    await server.store.db
      .insertInto('notifications')
      .values({
        id,
        organization_id: organizationId,
        account_id: account.id,
        user_id: 1,
        topic: 'recovered',
        severity: 'low',
        message: 'lost',
        sender: null,
        acknowledged: 0,
        created_at: at,
      })
      .execute();
    await server.store.db
      .insertInto('notification_deliveries')
      .values({
        id: 'b'.repeat(24),
        organization_id: organizationId,
        notification_id: id,
        subscription_id: sub.body.id,
        channel: 'webhook',
        topic: 'recovered',
        url: receiver.url,
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        locked_until: null,
        last_status: null,
        last_error: null,
        created_at: at,
        delivered_at: null,
      })
      .execute();
    expect(await server.services.notifications.recover()).toBe(1);
    await receiver.waitFor((all) => all.some((r) => r.json?.id === id));
    await waitFor(async () => (await deliveries(`notificationId='${id}'`)).body[0]?.status === 'delivered');

    expect((await call(api('/notifications'), { headers: h() })).body.length).toBeGreaterThan(0);
    server.clock.advance(31 * 86_400_000);
    await server.services.notifications.recover();
    expect((await call(api('/notifications'), { headers: h() })).body).toEqual([]);
    // Every organization's, organization by organization (another one's were posted above).
    expect(await server.store.db.selectFrom('notifications').select('organization_id').execute()).toEqual([]);
    expect(await server.store.db.selectFrom('notification_deliveries').selectAll().execute()).toEqual([]);
  });
});

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * `Elements-Async-Request: true` on a hub call (open-connectors-api.md §6.10): answered at once
 * with an event id; the call's answer is POSTed to the callback, signed, through the event outbox.
 */
const KEY = 'async-signature-key';
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let other: Awaited<ReturnType<typeof startReceiver>>;
let instance: { id: number; token: string };
let bare: { id: number; token: string };

const hub = (i: { token: string }, extra: Record<string, string> = {}) => ({ authorization: `${server.auth}, Element ${i.token}`, ...extra });
const ASYNC = { 'Elements-Async-Request': 'true' };
const answerTo = async (r: typeof receiver, eventId: number) => {
  await r.waitFor((all) => all.some((x) => x.json.eventId === eventId));
  return r.received.find((x) => x.json.eventId === eventId)!;
};

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  receiver = await startReceiver();
  other = await startReceiver();
  const create = async (configuration: Record<string, unknown>) =>
    (
      await call(`${server.api}/instances`, {
        method: 'POST',
        headers: { authorization: server.auth },
        json: {
          element: { key: 'jiraonprem' },
          name: 'async',
          configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl, ...configuration },
        },
      })
    ).body;
  instance = await create({ 'event.notification.callback.url': receiver.url, 'event.notification.signature.key': KEY });
  bare = await create({});
});
afterAll(async () => {
  await server.close();
  await jira.close();
  await receiver.close();
  await other.close();
});

describe('asynchronous hub calls', () => {
  it("answer at once with an event id, then POST the call's answer to the instance's callback, signed", async () => {
    const accepted = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(instance, ASYNC) });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ eventId: expect.any(Number), eventStatus: 'dispatched' });
    const { eventId } = accepted.body;

    const got = await answerTo(receiver, eventId);
    expect(got.json).toMatchObject({ eventId, instanceId: instance.id, notificationId: eventId, status: 200 });
    expect(got.json.response).toMatchObject({ key: 'CE-1', fields: { summary: expect.any(String) } });
    expect(got.json.headers['elements-element-instance-id']).toBe(String(instance.id));
    const signature = `sha256=${createHmac('sha256', KEY).update(got.body).digest('base64')}`;
    expect(got.headers['elements-webhook-signature']).toBe(signature);

    // The call is in the event log as an event of its own, delivered.
    const logged = await call(`${server.api}/instances/${instance.id}/events/${eventId}`, { headers: { authorization: server.auth } });
    expect(logged.body).toMatchObject({ id: String(eventId), source: 'async' });
    expect(logged.body.deliveries[0].status).toBe('delivered');
  });

  it('take Elements-Async-Callback-Url over the instance callback, pass paging headers and error answers on, and make writes once', async () => {
    const list = await call(`${server.api}/hubs/helpdesk/incidents?pageSize=2`, {
      headers: hub(instance, { ...ASYNC, 'Elements-Async-Callback-Url': other.url }),
    });
    const listed = await answerTo(other, list.body.eventId);
    expect(listed.json.response).toHaveLength(2);
    expect(listed.json.headers['elements-next-page-token']).toBeTruthy();

    const missing = await call(`${server.api}/hubs/helpdesk/incidents/CE-999999`, { headers: hub(instance, ASYNC) });
    const refused = await answerTo(receiver, missing.body.eventId);
    expect(refused.json.status).toBe(404);
    expect(refused.json.response).toMatchObject({ message: expect.stringMatching(/CE-999999/), providerCode: 404 });

    const summary = `made asynchronously ${Date.now()}`;
    const created = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: { ...hub(instance, ASYNC), 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary } }),
    });
    const made = await answerTo(receiver, created.body.eventId);
    expect(made.json.status).toBe(200);
    const found = await call(`${server.api}/hubs/helpdesk/incidents?where=${encodeURIComponent(`summary = '${summary}'`)}`, { headers: hub(instance) });
    expect(found.body.map((i: { key: string }) => i.key)).toEqual([made.json.response.key]);
  });

  it('refuse a call without any callback, a callback that is not a URL, and an asynchronous upload', async () => {
    const none = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(bare, ASYNC) });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/Elements-Async-Callback-Url/);
    const notUrl = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(bare, { ...ASYNC, 'Elements-Async-Callback-Url': 'nope' }) });
    expect(notUrl.status).toBe(400);
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const upload = await fetch(`${server.api}/hubs/helpdesk/incidents/CE-1/attachments`, { method: 'POST', headers: hub(instance, ASYNC), body: form });
    expect(upload.status).toBe(400);
    // Without the header, or with it false, a call is answered as always.
    expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(bare, { 'Elements-Async-Request': 'false' }) })).body.key).toBe('CE-1');
  });

  it('tell the callback when the process stopped while the call ran: its outcome is unknown', async () => {
    // A call held as if its process had stopped before the answer was in.
    const held = await server.services.asyncCalls.accept(
      (await server.services.instanceRepo.find(instance.id))!,
      undefined,
      { method: 'DELETE', url: '/elements/api-v2/hubs/helpdesk/incidents/CE-2', headers: {} },
      () => new Promise(() => undefined),
    );
    expect(await server.services.asyncCalls.recoverAbandoned()).toBe(0);
    server.clock.advance(2 * server.config.vendorTimeoutMs + 61_000);
    expect(await server.services.asyncCalls.recoverAbandoned()).toBe(1);
    const told = await answerTo(receiver, held);
    expect(told.json).toMatchObject({ eventId: held, instanceId: instance.id, status: null, response: { message: expect.stringMatching(/may or may not/) } });
    expect(await server.services.asyncCalls.recoverAbandoned()).toBe(0);
  });
});

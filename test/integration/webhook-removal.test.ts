import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REMOVE_NOW_WAIT_MS } from '../../src/events/webhook-removals.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A deleted instance's webhook that Jira could not remove at the time is removed later by the
 * worker, or given up after a day; a refusal is never tried again. Jira's webhook admin API
 * (10.x) and its faults come from the emulator.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const HOOKS = '/rest/jira-webhook/1.0/webhooks';
const PASSWORD = 'admin';

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await jira.close();
  await receiver.close();
});
afterEach(async () => {
  await jira.control.delete('/faults');
});

/** An instance whose events come by Jira webhook, and that webhook's URL. */
async function hooked(name: string) {
  const instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, {
    name,
    configuration: {
      'event.notification.enabled': true,
      'event.notification.callback.url': receiver.url,
      'event.vendor.type': 'webhook',
    },
  });
  const status = await call(`${server.api}/instances/${instance.id}/events/status`, { headers: { authorization: server.auth } });
  expect(status.body).toMatchObject({ webhookRegistration: 'auto' });
  return { id: instance.id as number, url: status.body.webhookUrl as string };
}
const inJira = async (url: string) => ((await jira.jira.get(HOOKS)).body as { url: string }[]).filter((h) => h.url === url).length;
const removals = () => server.store.db.selectFrom('webhook_removals').selectAll().execute();
/** The removals counted so far with this outcome (`GET /metrics`). */
const counted = async (outcome: 'removed' | 'deferred' | 'left') => {
  const text = (await call(`${server.origin}/metrics`)).text;
  return Number(new RegExp(`^switchboard_vendor_webhook_removals_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
};
const deleteInstance = async (id: number) => {
  const res = await call(`${server.api}/instances/${id}`, { method: 'DELETE', headers: { authorization: server.auth } });
  expect(res.status).toBe(200);
};

describe('removing the webhook of a deleted instance', () => {
  it('is done by the worker once Jira answers again, with the credentials kept only encrypted meanwhile', async () => {
    const hook = await hooked('removed-later');
    expect(await inJira(hook.url)).toBe(1);
    await jira.control.post('/faults', { path: `${HOOKS}/\\d+`, method: 'DELETE', kind: 'status', status: 503, count: 1 });
    const [deferred, removed] = [await counted('deferred'), await counted('removed')];

    await deleteInstance(hook.id);
    expect(await counted('deferred')).toBe(deferred + 1);
    expect(await inJira(hook.url)).toBe(1);
    const [waiting, ...others] = await removals();
    expect(others).toHaveLength(0);
    expect(waiting).toMatchObject({ instance_id: hook.id, element_key: 'jiraonprem', attempts: 1 });
    expect(waiting!.last_error).toMatch(/503|did not|error/i);
    expect(waiting!.context_enc).not.toContain(jira.baseUrl);
    expect(waiting!.context_enc).not.toContain(PASSWORD);

    // Due a minute later, by the server's clock; the queue takes it within its poll interval.
    server.clock.advance(61_000);
    await waitFor(async () => (await removals()).length === 0, 15_000);
    expect(await inJira(hook.url)).toBe(0);
    expect(await counted('removed')).toBe(removed + 1);
  });

  it('is left to the worker when Jira has not answered within 5 s, so that the deletion does not wait for the vendor timeout', async () => {
    const hook = await hooked('jira-silent');
    // Longer than the deletion waits, shorter than the vendor timeout (15 s): without the limit
    // the deletion would wait for it and the webhook would be gone when it answers.
    const delayMs = REMOVE_NOW_WAIT_MS + 3000;
    await jira.control.post('/faults', { path: `${HOOKS}/\\d+`, method: 'DELETE', kind: 'delay', delayMs, count: 1 });
    const started = Date.now();

    await deleteInstance(hook.id);
    expect(await inJira(hook.url)).toBe(1);
    const [waiting, ...others] = await removals();
    expect(others).toHaveLength(0);
    expect(waiting).toMatchObject({ instance_id: hook.id, attempts: 1 });
    expect(waiting!.last_error).toContain(`within ${REMOVE_NOW_WAIT_MS / 1000} s`);

    server.clock.advance(61_000);
    await waitFor(async () => (await removals()).length === 0, 15_000);
    expect(await inJira(hook.url)).toBe(0);
    // The first attempt is still under way in Jira; its late answer (the webhook already gone) is dropped.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + delayMs + 500 - Date.now())));
  });

  it('is queued again by the worker when its job was lost', async () => {
    const hook = await hooked('job-lost');
    await jira.control.post('/faults', { path: `${HOOKS}/\\d+`, method: 'DELETE', kind: 'status', status: 503, count: 1 });
    await deleteInstance(hook.id);
    expect(await removals()).toHaveLength(1);
    // As when its process died and the queue gave the job up, or the database refused it.
    await server.store.db.deleteFrom('jobs').where('name', '=', 'events.remove-webhook').execute();
    server.clock.advance(61_000);
    await server.services.worker.tick();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await removals()).toHaveLength(1);
    // Ten minutes past its time, the tick queues it again.
    server.clock.advance(10 * 60_000);
    await server.services.worker.tick();
    await waitFor(async () => (await removals()).length === 0, 15_000);
    expect(await inJira(hook.url)).toBe(0);
  });

  it('is tried again, waiting longer each time, and given up a day after the first attempt', async () => {
    const hook = await hooked('given-up');
    await jira.control.post('/faults', { path: `${HOOKS}/\\d+`, method: 'DELETE', kind: 'status', status: 502, count: 1000 });
    const leftBefore = await counted('left');
    await deleteInstance(hook.id);
    const first = (await removals())[0]!;
    const delays: number[] = [];
    let last = first;
    for (let attempt = 2; attempt <= 4; attempt++) {
      server.clock.advance(Date.parse(last.next_attempt_at) - server.clock.now().getTime() + 1000);
      await waitFor(async () => (await removals())[0]?.attempts === attempt, 15_000);
      const next = (await removals())[0]!;
      delays.push(Date.parse(next.next_attempt_at) - server.clock.now().getTime());
      last = next;
    }
    // One minute after the first failure, then two, four, eight: doubling, up to an hour.
    expect(delays.map((d) => Math.round(d / 60_000))).toEqual([2, 4, 8]);

    server.clock.advance(24 * 3600_000);
    await waitFor(async () => (await removals()).length === 0, 15_000);
    // Given up: the webhook stays in Jira (the log and the metric say to remove it by hand).
    expect(await inJira(hook.url)).toBe(1);
    expect(await counted('left')).toBe(leftBefore + 1);
    const left = ((await jira.jira.get(HOOKS)).body as { id: number; url: string }[]).find((h) => h.url === hook.url)!;
    await jira.control.delete('/faults');
    expect((await jira.jira.delete(`${HOOKS}/${left.id}`)).status).toBe(204);
  });

  it('is not tried again when Jira refuses it: a repeated 401 feeds its login lockout', async () => {
    const leftBefore = await counted('left');
    for (const status of [401, 403]) {
      const hook = await hooked(`refused-${status}`);
      await jira.control.post('/faults', { path: `${HOOKS}/\\d+`, method: 'DELETE', kind: 'status', status, count: 5 });
      await deleteInstance(hook.id);
      expect(await removals()).toHaveLength(0);
      server.clock.advance(5 * 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await jira.control.get('/faults')).body[0].remaining).toBe(4);
      await jira.control.delete('/faults');
      const left = ((await jira.jira.get(HOOKS)).body as { id: number; url: string }[]).find((h) => h.url === hook.url)!;
      expect((await jira.jira.delete(`${HOOKS}/${left.id}`)).status).toBe(204);
    }
    // Left in Jira: what an operator's alert on the metric finds.
    expect(await counted('left')).toBe(leftBefore + 2);
  });
});

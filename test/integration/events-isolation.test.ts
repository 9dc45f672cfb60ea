import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * One slow instance must never hold up the others: not its poll (a Jira answering in 10 s) and
 * not its deliveries (a callback answering in 8 s). Both run on SQLite and on PostgreSQL.
 */
const TICK_MS = 500;
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let slowJira: Awaited<ReturnType<typeof withEmulator>>;

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_EVENT_TICK_MS: String(TICK_MS) });
  jira = await withEmulator();
  slowJira = await withEmulator();
});
afterAll(async () => {
  await server.close();
  await jira.close();
  await slowJira.close();
});

const create = (name: string, siteAddress: string, events: Record<string, unknown>) =>
  createJiraInstance(server.api, server.auth, siteAddress, { name, configuration: { 'event.notification.enabled': true, ...events } });
const sources = () => server.store.db.selectFrom('event_sources').select(['instance_id', 'last_poll_at']).execute();
const jobsOf = (key: number) => server.store.db.selectFrom('jobs').select('status').where('singleton_key', '=', String(key)).execute();
const setDue = (ids: number[], at: Date) =>
  server.store.db.updateTable('event_sources').set({ next_poll_at: at.toISOString() }).where('instance_id', 'in', ids).execute();

describe('one slow instance holds up no other', () => {
  it('200 instances poll within one tick of their due time while one Jira answers in 10 s', { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    try {
      const polling = { 'event.notification.callback.url': receiver.url, 'event.poller.refresh_interval': '1' };
      const slow = await create('slow-jira', slowJira.baseUrl, polling);
      const fast: number[] = [];
      for (let i = 0; i < 199; i++) fast.push((await create(`poller-${i}`, jira.baseUrl, polling)).id);
      // Every instance's first poll (which only reads Jira's clock) is done.
      await waitFor(async () => (await sources()).every((s) => s.last_poll_at !== null), 60_000);

      // The slow instance's next poll hangs in Jira's search for 10 s…
      await slowJira.control.post('/faults', { path: '/search', kind: 'delay', delayMs: 10_000, count: 100 });
      await setDue([slow.id], server.clock.now());
      await waitFor(async () => (await jobsOf(slow.id)).some((j) => j.status === 'active'));
      const slowStarted = Date.now();
      // …and its interval comes round again while it runs: a second poll waits behind it.
      await setDue([slow.id], server.clock.now());
      await waitFor(async () => (await jobsOf(slow.id)).some((j) => j.status === 'queued'));

      // The other 199 fall due one after another over 4 s.
      await server.store.db.updateTable('event_sources').set({ last_poll_at: null }).where('instance_id', 'in', fast).execute();
      const first = server.clock.now().getTime() + 200;
      const due = new Map(fast.map((id, i) => [id, first + i * 20]));
      for (const [id, at] of due) await setDue([id], new Date(at));
      await waitFor(async () => (await sources()).filter((s) => due.has(s.instance_id)).every((s) => s.last_poll_at !== null), 30_000);

      // All of that happened while the slow poll was still running, with its duplicate waiting.
      expect(Date.now() - slowStarted).toBeLessThan(10_000);
      expect((await jobsOf(slow.id)).map((j) => j.status).sort()).toEqual(['active', 'queued']);
      const lateness = (await sources()).filter((s) => due.has(s.instance_id)).map((s) => Date.parse(s.last_poll_at!) - due.get(s.instance_id)!);
      console.log(`poll lateness over ${lateness.length} instances: max ${Math.max(...lateness)} ms (tick ${TICK_MS} ms)`);
      expect(lateness.every((ms) => ms >= 0)).toBe(true);
      expect(Math.max(...lateness)).toBeLessThanOrEqual(TICK_MS + 250);
    } finally {
      await slowJira.control.delete('/faults');
      await receiver.close();
    }
  });

  it("notifications of one instance arrive within 200 ms (p90) while another instance's callback answers in 8 s", { timeout: 60_000 }, async () => {
    const slowCallback = await startReceiver();
    const fastCallback = await startReceiver();
    slowCallback.respondWith(() => ({ status: 200, delayMs: 8_000 }));
    try {
      const hook = async (name: string, url: string) => {
        const instance = await create(name, jira.baseUrl, { 'event.vendor.type': 'webhook', 'event.notification.callback.url': url });
        const status = await call(`${server.api}/instances/${instance.id}/events/status`, { headers: { authorization: server.auth } });
        return status.body.webhookUrl as string;
      };
      const send = (url: string, id: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            webhookEvent: 'jira:issue_updated',
            timestamp: Date.now(),
            issue: { id, self: `${jira.baseUrl}/rest/api/2/issue/${id}`, fields: { updated: id } },
          }),
        }).then((r) => expect(r.status).toBe(200));
      const slowUrl = await hook('slow-callback', slowCallback.url);
      const fastUrl = await hook('fast-callback', fastCallback.url);

      const slowStarted = Date.now();
      for (let i = 0; i < 10; i++) await send(slowUrl, `slow-${i}`);
      await slowCallback.waitFor((all) => all.length === 10);

      const latencies: number[] = [];
      for (let i = 0; i < 30; i++) {
        const id = `fast-${i}`;
        const sent = Date.now();
        await send(fastUrl, id);
        await fastCallback.waitFor((all) => all.some((r) => r.json.message.events[0].objectId === id));
        latencies.push(fastCallback.received.find((r) => r.json.message.events[0].objectId === id)!.at - sent);
      }
      // Measured while every slow callback still held its request.
      expect(slowCallback.answered()).toBe(0);
      expect(Date.now() - slowStarted).toBeLessThan(8_000);
      latencies.sort((a, b) => a - b);
      console.log(`notification latency beside an 8 s callback: p50 ${latencies[14]} ms, p90 ${latencies[26]} ms`);
      expect(latencies[Math.ceil(latencies.length * 0.9) - 1]).toBeLessThanOrEqual(200);
    } finally {
      await slowCallback.close();
      await fastCallback.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_STEP_JOB } from '../../src/bulk/bulk-service.ts';
import { NOTIFY_JOB } from '../../src/notifications/notification-service.ts';
import { FIRE_JOB } from '../../src/scheduled-jobs/scheduled-jobs.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { refuseInserts } from '../helpers/refuse-inserts.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A call that stores something and queues the job that carries it out writes both in one
 * transaction. When the job cannot be queued, the call fails and stores nothing, so the caller's
 * retry makes it once: no bulk job that never runs, no scheduled job or notification twice.
 * The store's `jobs` table is made to refuse one job name (`refuseInserts`), then to take it
 * again.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let token: string;
const admin = () => ({ authorization: server.auth });
const hub = () => ({ authorization: `${server.auth}, Element ${token}` });

/** Runs `attempt` while jobs named `name` are refused, then lifts the refusal. */
async function whileRefused<T>(name: string, attempt: () => Promise<T>): Promise<T> {
  const lift = await refuseInserts(server, 'jobs', `new.name = '${name}'`);
  try {
    return await attempt();
  } finally {
    await lift();
  }
}

const bulkJobs = async () => (await call(`${server.api}/hubs/helpdesk/bulk/jobs`, { headers: hub() })).body as { id: string }[];
async function bulkStatus(id: string) {
  let status: { status: string } | undefined;
  await waitFor(async () => {
    status = (await call(`${server.api}/hubs/helpdesk/bulk/${id}/status`, { headers: hub() })).body;
    return !['CREATED', 'RUNNING'].includes(status!.status);
  });
  return status!.status;
}
function upload() {
  const form = new FormData();
  form.append(
    'file',
    new Blob([`${JSON.stringify({ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'imported once' } })}\n`], {
      type: 'application/x-ndjson',
    }),
    'one.ndjson',
  );
  return fetch(`${server.api}/hubs/helpdesk/bulk/incidents`, { method: 'POST', headers: hub(), body: form });
}

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_DELIVERY_BASE_DELAY_MS: '0' });
  jira = await withEmulator();
  receiver = await startReceiver();
  token = (await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'queued' })).token;
});
afterAll(async () => {
  await server?.close();
  await jira?.close();
  await receiver?.close();
});

describe('work queued with what it carries out', () => {
  it('a bulk export whose first step cannot be queued leaves no job; the retry runs', async () => {
    const start = () => call(`${server.api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select * from incidents')}`, { method: 'POST', headers: hub() });
    const refused = await whileRefused(BULK_STEP_JOB, start);
    expect(refused.status).toBe(500);
    expect(refused.body).toEqual({ requestId: expect.any(String), message: expect.any(String) });
    expect(await bulkJobs()).toEqual([]);
    const started = await start();
    expect(started.status).toBe(200);
    expect(await bulkStatus(started.body.id)).toBe('COMPLETED');
    expect((await bulkJobs()).map((j) => j.id)).toEqual([started.body.id]);
  });

  it('a bulk import whose first step cannot be queued leaves no job; the retry imports the file once', async () => {
    const before = (await bulkJobs()).length;
    const refused = await whileRefused(BULK_STEP_JOB, upload);
    expect(refused.status).toBe(500);
    expect(await bulkJobs()).toHaveLength(before);
    const started = await upload();
    expect(started.status).toBe(200);
    const { id } = (await started.json()) as { id: string };
    expect(await bulkStatus(id)).toBe('COMPLETED');
    const found = await call(`${server.api}/hubs/helpdesk/incidents?where=${encodeURIComponent("summary = 'imported once'")}`, { headers: hub() });
    expect(found.body).toHaveLength(1);
  });

  it('a scheduled job whose first fire cannot be queued is not stored; the retry makes one', async () => {
    const create = () =>
      call(`${server.api}/jobs`, {
        method: 'POST',
        headers: hub(),
        json: { method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: 'nightly', trigger: { cron: '0 0 3 * * ?' } },
      });
    const refused = await whileRefused(FIRE_JOB, create);
    expect(refused.status).toBe(500);
    expect((await call(`${server.api}/jobs`, { headers: admin() })).body).toEqual([]);
    const created = await create();
    expect(created.status).toBe(200);
    expect((await call(`${server.api}/jobs`, { headers: admin() })).body.map((j: { id: string }) => j.id)).toEqual([created.body.id]);
    expect(await server.store.db.selectFrom('jobs').select('payload').where('name', '=', FIRE_JOB).execute()).toHaveLength(1);
  });

  it('a notification whose deliveries cannot be queued is not stored, its retry is delivered once, and a redelivery the queue refused is sent by the recovery', async () => {
    const sub = await call(`${server.api}/notifications/subscriptions`, {
      method: 'POST',
      headers: admin(),
      json: { channel: 'webhook', topics: ['queue.check'], config: { url: receiver.url } },
    });
    expect(sub.status).toBe(200);
    const post = () => call(`${server.api}/notifications`, { method: 'POST', headers: admin(), json: { topic: 'queue.check', message: 'once' } });
    const refused = await whileRefused(NOTIFY_JOB, post);
    expect(refused.status).toBe(500);
    expect((await call(`${server.api}/notifications`, { headers: admin() })).body).toEqual([]);
    expect(await server.store.db.selectFrom('notification_deliveries').select('id').execute()).toEqual([]);
    const sent = await post();
    expect(sent.status).toBe(200);
    await receiver.waitFor((all) => all.length === 1);
    expect(receiver.received.map((r) => r.json)).toEqual([sent.body]);
    expect((await call(`${server.api}/notifications`, { headers: admin() })).body).toEqual([sent.body]);

    // A redelivery is stored first and queued after: when queueing fails, it answers what it did,
    // and the recovery sends the deliveries within a minute.
    await server.store.db.updateTable('notification_subscriptions').set({ active: 0 }).where('id', '=', sub.body.id).execute();
    const held = await post();
    const where = encodeURIComponent(`notificationId='${held.body.id}'`);
    const redeliver = () => call(`${server.api}/notifications/subscriptions/deliveries?where=${where}`, { method: 'PUT', headers: admin() });
    const redelivered = await whileRefused(NOTIFY_JOB, redeliver);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toEqual({ redelivered: 1 });
    server.clock.advance(61_000);
    expect(await server.services.notifications.recover()).toBe(1);
    await receiver.waitFor((all) => all.length === 2);
    expect(receiver.received[1]!.json).toEqual(held.body);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createIssue, createJiraInstance, webhookEvents } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { waitFor } from '../helpers/wait.ts';

/** Several switchboard processes on one PostgreSQL database (this folder runs in the postgres project only). */
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  jira = await withEmulator();
  receiver = await startReceiver();
});
afterAll(async () => {
  await jira.close();
  await receiver.close();
});

const webhookInstance = (api: string, auth: string, name: string) =>
  createJiraInstance(api, auth, jira.baseUrl, { name, configuration: webhookEvents(receiver.url) });

/** A fresh PostgreSQL database and the settings every process sharing it starts with. */
const sharedStore = async (extra: Record<string, string>) => {
  const target = await newTestStore();
  return { target, env: processEnv(target, extra) };
};

describe('scale-out on PostgreSQL', () => {
  it('shares the work between two processes on PostgreSQL, sending each notification once', async () => {
    const { target, env } = await sharedStore({ SWITCHBOARD_EVENT_TICK_MS: '200' });
    const a = startSwitchboard(['serve'], env);
    const apiA = (await a.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const b = startSwitchboard(['serve'], env);
    await b.waitFor(/listening on/);
    const { auth } = bootstrapSecrets(target.dataDir);
    try {
      const instance = await webhookInstance(apiA, auth, 'scale-out');
      receiver.received.length = 0;
      receiver.respondWith(() => ({ status: 200 }));
      const issues = [];
      for (let i = 0; i < 30; i++) issues.push(await createIssue(jira.jira, `scale ${i}`));
      const mine = () => receiver.received.filter((r) => r.json.message.instanceId === instance.id);
      await receiver.waitFor(() => new Set(mine().flatMap((r) => r.json.message.events.map((e: any) => e.objectId))).size >= 30, 30_000);
      // Once every delivery is marked delivered (after its callback answered), nothing more is sent.
      await waitFor(async () => {
        const log = (await call(`${apiA}/instances/${instance.id}/events?pageSize=200`, { headers: { authorization: auth } })).body as any[];
        return log.every((e) => e.deliveries.every((d: any) => d.status === 'delivered'));
      });
      const deliveryIds = mine().map((r) => r.headers['elements-webhook-id']);
      expect(new Set(deliveryIds).size).toBe(deliveryIds.length);
      expect(new Set(mine().flatMap((r) => r.json.message.events.map((e: any) => e.objectId)))).toEqual(new Set(issues.map((i) => i.id)));
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 90_000);

  it('fires a scheduled job once per fire with two workers racing for it, from processes that serve no HTTP', async () => {
    const { target, env } = await sharedStore({ SWITCHBOARD_JOBS_MIN_INTERVAL_SECONDS: '1' });
    // The API node fires nothing: every fire is a worker's, made through the worker's own app.
    const api = startSwitchboard(['serve'], { ...env, SWITCHBOARD_ROLE: 'api' });
    const apiUrl = (await api.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const workers = [startSwitchboard(['worker'], env), startSwitchboard(['worker'], env)];
    try {
      for (const w of workers) await w.waitFor(/worker running/);
      const { auth } = bootstrapSecrets(target.dataDir);
      const instance = await createJiraInstance(apiUrl, auth, jira.baseUrl, { name: 'jobs' });
      const issue = await createIssue(jira.jira, 'scheduled comments');
      const text = `every second ${randomBytes(4).toString('hex')}`;
      const job = await call(`${apiUrl}/jobs`, {
        method: 'POST',
        headers: { authorization: `${auth}, Element ${instance.token}` },
        json: {
          method: 'POST',
          uri: `/elements/api-v2/hubs/helpdesk/incidents/${issue.id}/comments`,
          name: 'every second',
          trigger: { cron: '* * * * * ?' },
          body: { body: text },
        },
      });
      expect(job.status).toBe(200);
      const created = async () =>
        ((await jira.jira.get(`/rest/api/2/issue/${issue.id}/comment`)).body as { comments: { body: string; created: string }[] }).comments
          .filter((c) => c.body === text)
          .map((c) => Date.parse(c.created.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')));
      await waitFor(async () => (await created()).length >= 8, 30_000);
      expect((await call(`${apiUrl}/jobs/${job.body.id}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(200);
      // About one comment per second of the trigger. A fire is made up to a queue poll (1 s) late,
      // and the first on a cold worker later still, so the span may be two seconds short; workers
      // that both made every fire would post twice as many.
      const times = (await created()).sort((x, y) => x - y);
      expect(times.length).toBeLessThanOrEqual(Math.floor((times.at(-1)! - times[0]!) / 1000) + 3);
    } finally {
      await api.stop();
      for (const w of workers) await w.stop();
    }
  }, 90_000);
});

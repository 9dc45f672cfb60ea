import { afterAll, beforeAll, describe, it } from 'vitest';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard, type RunningProcess } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createIssue, createJiraInstance, webhookEvents } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { waitFor } from '../helpers/wait.ts';

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

describe('events across real processes', () => {
  it('loses no delivery when the process is killed in the middle of it', async () => {
    const target = await newTestStore();
    const env = processEnv(target, {
      SWITCHBOARD_EVENT_TICK_MS: '100',
      SWITCHBOARD_DELIVERY_TIMEOUT_MS: '1000',
      SWITCHBOARD_DELIVERY_BASE_DELAY_MS: '100',
    });
    const first = startSwitchboard(['serve'], env);
    const api = (await first.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const { auth } = bootstrapSecrets(target.dataDir);
    const instance = await webhookInstance(api, auth, 'crash');
    receiver.received.length = 0;
    receiver.respondWith(() => ({ status: 200, hang: true }));
    const issue = await createIssue(jira.jira, 'delivered across a crash');
    await receiver.waitFor((all) => all.some((r) => r.json.message.events[0].objectId === issue.id));
    const firstTry = receiver.received.find((r) => r.json.message.events[0].objectId === issue.id)!;

    // The process dies while the callback still holds the request.
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.on('exit', r));
    receiver.respondWith(() => ({ status: 200 }));

    const again: RunningProcess = startSwitchboard(['serve'], { ...env, PORT: String(new URL(api).port) });
    await again.waitFor(/listening on/);
    await receiver.waitFor((all) => all.filter((r) => r.headers['elements-webhook-id'] === firstTry.headers['elements-webhook-id']).length >= 2, 20_000);
    await waitFor(
      async () =>
        (await call(`${api}/instances/${instance.id}/events`, { headers: { authorization: auth } })).body.find((e: any) => e.events[0].objectId === issue.id)
          ?.status === 'NOTIFIED',
    );
    await call(`${api}/instances/${instance.id}`, { method: 'DELETE', headers: { authorization: auth } });
    await again.stop();
  }, 60_000);
});

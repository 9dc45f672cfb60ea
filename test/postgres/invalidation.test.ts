import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard, type RunningProcess } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';

/**
 * Two nodes on one database: a change made through node A takes effect on node B within 100 ms,
 * although B caches resolved instances and transformations for 2 s and Jira's field list for
 * 5 minutes. The invalidation travels through PostgreSQL LISTEN/NOTIFY.
 */
let jira: Awaited<ReturnType<typeof withEmulator>>;
let a: RunningProcess;
let b: RunningProcess;
let apiA = '';
let apiB = '';
let auth = '';
beforeAll(async () => {
  jira = await withEmulator();
  const target = await newTestStore();
  const env = processEnv(target);
  a = startSwitchboard(['serve'], env);
  apiA = (await a.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  b = startSwitchboard(['serve'], env);
  apiB = (await b.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  auth = bootstrapSecrets(target.dataDir).auth;
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await jira.close();
});

const instance = (name: string, settings: Record<string, unknown> = {}) => createJiraInstance(apiA, auth, jira.baseUrl, { name, settings });

/** Milliseconds from `since` to the start of the first call on which `seen` holds. */
async function takesEffect(since: number, probe: () => Promise<boolean>): Promise<number> {
  for (;;) {
    const started = performance.now();
    if (await probe()) return started - since;
    if (started - since > 5_000) throw new Error('the change never reached the other node');
  }
}

describe('a change on one node reaches the other within 100 ms', () => {
  it('a disabled, then a deleted instance', async () => {
    const i = await instance('invalidate-me');
    const hub = () => call(`${apiB}/hubs/helpdesk/priorities`, { headers: { authorization: `${auth}, Element ${i.token}` } });
    expect((await hub()).status).toBe(200);
    expect((await call(`${apiA}/instances/${i.id}/enabled`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(200);
    const disabled = await takesEffect(performance.now(), async () => (await hub()).status === 403);
    expect((await call(`${apiA}/instances/${i.id}/enabled`, { method: 'PUT', headers: { authorization: auth } })).status).toBe(200);
    expect(await takesEffect(performance.now(), async () => (await hub()).status === 200)).toBeLessThanOrEqual(100);
    expect((await call(`${apiA}/instances/${i.id}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(200);
    const deleted = await takesEffect(performance.now(), async () => (await hub()).status === 401);
    console.log(`node B saw the instance disabled after ${disabled.toFixed(1)} ms and deleted after ${deleted.toFixed(1)} ms`);
    expect(disabled).toBeLessThanOrEqual(100);
    expect(deleted).toBeLessThanOrEqual(100);
  });

  it('a changed transformation', async () => {
    const i = await instance('reshaped');
    const read = async () => (await call(`${apiB}/hubs/helpdesk/incidents/CE-1`, { headers: { authorization: `${auth}, Element ${i.token}` } })).body;
    expect((await read()).key).toBe('CE-1');
    expect(
      (
        await call(`${apiA}/organizations/objects/incidents/definitions`, {
          method: 'POST',
          headers: { authorization: auth },
          json: { fields: [{ path: 'title', type: 'string' }] },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(`${apiA}/organizations/elements/jiraonprem/transformations/incidents`, {
          method: 'POST',
          headers: { authorization: auth },
          json: { vendorName: 'issue', fields: [{ path: 'title', type: 'string', vendorPath: 'fields.summary' }] },
        })
      ).status,
    ).toBe(200);
    const ms = await takesEffect(performance.now(), async () => typeof (await read()).title === 'string');
    console.log(`node B read with the new transformation after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThanOrEqual(100);
    await call(`${apiA}/organizations/elements/jiraonprem/transformations/incidents`, { method: 'DELETE', headers: { authorization: auth } });
  });

  it("a write through one node drops the other node's cached answers (cachingEnabled)", async () => {
    const i = await instance('cached', { cachingEnabled: true, cacheTimeToLive: 300 });
    const hub = { authorization: `${auth}, Element ${i.token}` };
    const read = () => call(`${apiB}/hubs/helpdesk/incidents/CE-2`, { headers: hub });
    expect((await read()).headers.get('elements-cache')).toBe('MISS');
    expect((await read()).headers.get('elements-cache')).toBe('HIT');
    const patched = await call(`${apiA}/hubs/helpdesk/incidents/CE-2`, { method: 'PATCH', headers: hub, json: { fields: { summary: 'written on node A' } } });
    expect(patched.status).toBe(200);
    const ms = await takesEffect(performance.now(), async () => (await read()).body.fields.summary === 'written on node A');
    console.log(`node B dropped its cached answer after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThanOrEqual(100);
  });

  it('a custom field created in Jira through the hub', async () => {
    const i = await instance('fields');
    const metadata = async () =>
      (await call(`${apiB}/hubs/helpdesk/objects/incidents/metadata`, { headers: { authorization: `${auth}, Element ${i.token}` } })).body.fields as {
        vendorDisplayName: string;
      }[];
    expect((await metadata()).some((f) => f.vendorDisplayName === 'Blast Radius')).toBe(false);
    const created = await call(`${apiA}/hubs/helpdesk/fields`, {
      method: 'POST',
      headers: { authorization: `${auth}, Element ${i.token}` },
      json: { name: 'Blast Radius', type: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' },
    });
    expect(created.status).toBe(200);
    const ms = await takesEffect(performance.now(), async () => (await metadata()).some((f) => f.vendorDisplayName === 'Blast Radius'));
    console.log(`node B knew the new field after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThanOrEqual(100);
  });
});

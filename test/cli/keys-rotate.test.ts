import { waitFor } from '../helpers/wait.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapSecrets, newTestStore, openTargetStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { runSwitchboard, startSwitchboard } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance, webhookEvents } from '../helpers/jira-instances.ts';
import { encryptedColumnsInSchema } from '../helpers/schema.ts';
import { startReceiver } from '../helpers/receiver.ts';

let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  jira = await withEmulator();
});
afterAll(async () => {
  await jira.close();
});

describe('switchboard keys rotate', () => {
  it('re-encrypts every secret under a new key while the server keeps serving; afterwards the old key can go', { timeout: 60_000 }, async () => {
    const target = await newTestStore();
    const env: Record<string, string> = {
      SWITCHBOARD_DATA_DIR: target.dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    };
    const server = startSwitchboard(['serve'], env);
    const [, api] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const { auth } = bootstrapSecrets(target.dataDir);
    // What provisioning was given beside the configuration is encrypted with it.
    const created = await createJiraInstance(api!, auth, jira.baseUrl, { name: 'rotate', settings: { providerData: { kept: 'secret' } } });
    // A webhook instance has a sealed webhook secret of its own, and a delivery to a callback URL
    // with credentials in it keeps that URL whole only encrypted.
    const hooked = await createJiraInstance(api!, auth, jira.baseUrl, {
      name: 'rotate-hooked',
      configuration: webhookEvents('http://cb:kept-secret@127.0.0.1:9/cb'),
    });
    const webhookUrl = (await call(`${api}/instances/${hooked.id}/events/status`, { headers: { authorization: auth } })).body.webhookUrl;
    const delivered = await call(webhookUrl, {
      method: 'POST',
      json: { webhookEvent: 'jira:issue_updated', timestamp: 1, issue: { id: '1', self: `${jira.baseUrl}/rest/api/2/issue/1`, fields: {} } },
    });
    expect(delivered.status).toBe(200);
    // A bulk export's result is stored encrypted too.
    const hub = { authorization: `${auth}, Element ${created.token}` };
    const exported = await call(`${api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select id from incidents')}`, { method: 'POST', headers: hub });
    expect(exported.status).toBe(200);
    await waitFor(async () => (await call(`${api}/hubs/helpdesk/bulk/${exported.body.id}/status`, { headers: hub })).body.status === 'COMPLETED');
    // So are an import's refused rows and a job's callback URL.
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify({ fields: { project: { key: 'NOPE' }, summary: 'refused' } })], { type: 'application/x-ndjson' }), 'r.ndjson');
    const imported = await fetch(`${api}/hubs/helpdesk/bulk/incidents?callbackUrl=${encodeURIComponent('http://127.0.0.1:9/cb?token=t')}`, {
      method: 'POST',
      headers: hub,
      body: form,
    });
    expect(imported.status).toBe(200);
    const importId = ((await imported.json()) as { id: string }).id;
    await waitFor(async () => (await call(`${api}/hubs/helpdesk/bulk/${importId}/status`, { headers: hub })).body.status === 'COMPLETED');
    // A scheduled job's call holds the instance token it runs with, and any credentials of its headers.
    const job = await call(`${api}/jobs`, {
      method: 'POST',
      headers: hub,
      json: {
        method: 'GET',
        uri: '/elements/api-v2/hubs/helpdesk/priorities',
        name: 'rotated',
        trigger: { cron: '0 0 0 1 1 ?' },
        headers: { 'X-Api-Key': 'kept-secret' },
      },
    });
    expect(job.status).toBe(200);
    // A notification subscription's URL with credentials in it is kept encrypted.
    const receiver = await startReceiver();
    const subscribed = await call(`${api}/notifications/subscriptions`, {
      method: 'POST',
      headers: { authorization: auth },
      json: { channel: 'webhook', topics: ['rotated'], config: { url: receiver.url.replace('http://', 'http://hook:kept-secret@') } },
    });
    expect(subscribed.status).toBe(200);
    // A deleted instance whose webhook Jira could not remove keeps its configuration encrypted until a retry removes it.
    const removed = await createJiraInstance(api!, auth, jira.baseUrl, { name: 'rotate-removed', configuration: webhookEvents('http://127.0.0.1:9/cb') });
    const removedUrl = (await call(`${api}/instances/${removed.id}/events/status`, { headers: { authorization: auth } })).body.webhookUrl;
    const hooksInJira = async () => ((await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body as { url: string }[]).map((h) => h.url);
    await jira.control.post('/faults', { path: '/rest/jira-webhook/1.0/webhooks/\\d+', method: 'DELETE', kind: 'status', status: 503, count: 1 });
    expect((await call(`${api}/instances/${removed.id}`, { method: 'DELETE', headers: { authorization: auth } })).status).toBe(200);
    expect(await hooksInJira()).toContain(removedUrl);
    const oldKey = JSON.parse(readFileSync(join(target.dataDir, 'master.key'), 'utf8')).active;

    const rotated = await runSwitchboard(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    const report = JSON.parse(rotated.output);
    expect(report.activeKeyId).not.toBe(oldKey);
    expect(report.reencrypted['instances.configuration_enc']).toBe(2);
    expect(report.reencrypted['event_sources.webhook_secret_enc']).toBe(1);
    expect(report.reencrypted['users.secret_enc']).toBe(1);
    expect(report.reencrypted['bulk_chunks.data_enc']).toBeGreaterThan(0);
    expect(report.reencrypted['bulk_errors.data_enc']).toBe(1);
    expect(report.reencrypted['bulk_jobs.callback_url_enc']).toBe(1);
    expect(report.reencrypted['scheduled_jobs.call_enc']).toBe(1);
    expect(report.reencrypted['notification_subscriptions.url_enc']).toBe(1);
    expect(report.reencrypted['webhook_removals.context_enc']).toBe(1);

    // The running server decrypts the new ciphertexts (it reloads the key file on an unknown key id).
    const read = await call(`${api}/instances/${created.id}`, { headers: { authorization: auth } });
    expect(read.status).toBe(200);
    expect(read.body.token).toBe(created.token);
    expect((await call(`${api}/instances/configuration`, { headers: { authorization: `${auth}, Element ${created.token}` } })).status).toBe(200);

    // Nothing in the store is still under the old key: every *_enc column of the live schema,
    // whether or not the code lists it, holds only ciphertexts of the new key.
    const store = openTargetStore(target);
    const db = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    const columns = await encryptedColumnsInSchema(store);
    expect(columns).toContain('event_sources.webhook_secret_enc');
    // Each column holds at least one value here, so that a column the rotation missed cannot pass unseen.
    const checked = new Map<string, number>();
    for (const tableColumn of columns) {
      const [table, column] = tableColumn.split('.') as [string, string];
      for (const row of await db.selectFrom(table).select(column).execute()) {
        const v = row[column];
        if (typeof v === 'string' && v !== '') {
          checked.set(tableColumn, (checked.get(tableColumn) ?? 0) + 1);
          expect(v.split('.')[1], tableColumn).toBe(report.activeKeyId);
        }
      }
    }
    expect(columns.filter((c) => !checked.has(c))).toEqual([]);
    // The removal's retry falls due now rather than in a minute: the restarted server makes it.
    const now = new Date().toISOString();
    await db.updateTable('webhook_removals').set({ next_attempt_at: now }).execute();
    await db.updateTable('jobs').set({ run_at: now }).where('name', '=', 'events.remove-webhook').execute();
    await store.close();
    expect(await server.stop()).toBe(0);

    // The old key is dropped from the key file: with the new key alone, a restart serves every
    // instance fully (configuration, token, webhook secret, events status, updates, hub calls).
    const file = JSON.parse(readFileSync(join(target.dataDir, 'master.key'), 'utf8'));
    writeFileSync(join(target.dataDir, 'master.key'), JSON.stringify({ active: file.active, keys: { [file.active]: file.keys[file.active] } }), {
      mode: 0o600,
    });
    const again = startSwitchboard(['serve'], env);
    const [, api2] = await again.waitFor(/listening on (http:\/\/\S+)/);
    for (const instance of [created, hooked]) {
      const read = await call(`${api2}/instances/${instance.id}`, { headers: { authorization: auth } });
      expect(read.status).toBe(200);
      expect(read.body.configuration.username).toBe('admin');
      expect((await call(`${api2}/instances/${instance.id}/events/status`, { headers: { authorization: auth } })).status).toBe(200);
      expect(
        (await call(`${api2}/instances/${instance.id}`, { method: 'PATCH', headers: { authorization: auth }, json: { name: `${instance.name}-after` } }))
          .status,
      ).toBe(200);
      expect((await call(`${api2}/hubs/helpdesk/priorities`, { headers: { authorization: `${auth}, Element ${instance.token}` } })).status).toBe(200);
    }
    const hook = await call(webhookUrl.replace(api, api2), {
      method: 'POST',
      json: { webhookEvent: 'jira:issue_updated', timestamp: 1, issue: { id: '1', self: `${jira.baseUrl}/rest/api/2/issue/1`, fields: {} } },
    });
    expect(hook.status).toBe(200);
    const result = await fetch(`${api2}/hubs/helpdesk/bulk/${exported.body.id}/incidents`, { headers: { ...hub, accept: 'application/x-ndjson' } });
    expect(result.status).toBe(200);
    expect((await result.text()).split('\n').filter(Boolean).length).toBeGreaterThan(0);
    const errors = await call(`${api2}/hubs/helpdesk/bulk/${importId}/errors`, { headers: hub });
    expect(errors.status).toBe(200);
    expect(errors.body).toMatchObject([{ row: 1, record: { fields: { summary: 'refused' } } }]);
    const scheduled = await call(`${api2}/jobs/${job.body.id}`, { headers: { authorization: auth } });
    expect(scheduled.body).toMatchObject({ name: 'rotated', headers: { 'X-Api-Key': '********' } });
    expect(
      (await call(`${api2}/notifications`, { method: 'POST', headers: { authorization: auth }, json: { topic: 'rotated', message: 'after' } })).status,
    ).toBe(200);
    await receiver.waitFor((all) => all.length === 1);
    expect(receiver.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hook:kept-secret').toString('base64')}`);
    await receiver.close();
    // The deleted instance's webhook is removed with the configuration decrypted under the new key alone.
    await waitFor(async () => !(await hooksInJira()).includes(removedUrl), 15_000);
    await again.stop();
  });

  it('rotates operator-supplied keys given the new and the previous key', { timeout: 60_000 }, async () => {
    const target = await newTestStore();
    const oldKey = Buffer.alloc(32, 1).toString('base64');
    const newKey = Buffer.alloc(32, 2).toString('base64');
    const base: Record<string, string> = { SWITCHBOARD_DATA_DIR: target.dataDir, PORT: '0', ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }) };
    const first = startSwitchboard(['serve'], { ...base, SWITCHBOARD_MASTER_KEY: oldKey });
    await first.waitFor(/listening on/);
    await first.stop();
    const missing = await runSwitchboard(['keys', 'rotate'], { ...base, SWITCHBOARD_MASTER_KEY: newKey });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/SWITCHBOARD_PREVIOUS_MASTER_KEYS/);
    const rotated = await runSwitchboard(['keys', 'rotate'], { ...base, SWITCHBOARD_MASTER_KEY: newKey, SWITCHBOARD_PREVIOUS_MASTER_KEYS: oldKey });
    expect(rotated.code).toBe(0);
    const { auth } = bootstrapSecrets(target.dataDir);
    const after = startSwitchboard(['serve'], { ...base, SWITCHBOARD_MASTER_KEY: newKey });
    const [, api] = await after.waitFor(/listening on (http:\/\/\S+)/);
    expect((await call(`${api}/accounts`, { headers: { authorization: auth } })).status).toBe(200);
    await after.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startSwitchboard } from '../helpers/process.ts';
import { call } from '../helpers/test-server.ts';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { waitFor } from '../helpers/wait.ts';

let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  jira = await withEmulator({ seedIssues: 1500 });
});
afterAll(async () => {
  await jira.close();
});

/** A switchboard process on a store of its own, and an instance on the emulator: what a crash test kills and restarts. */
async function switchboardWithInstance(name: string) {
  const target = await newTestStore();
  const env = processEnv(target, {
    SWITCHBOARD_EVENT_TICK_MS: '100',
    // A step's lease follows the vendor timeout: a short one lets the restarted process take the job over soon.
    SWITCHBOARD_VENDOR_TIMEOUT_MS: '1000',
  });
  const first = startSwitchboard(['serve'], env);
  const api = (await first.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  const { auth } = bootstrapSecrets(target.dataDir);
  const created = await createJiraInstance(api, auth, jira.baseUrl, { name });
  return { env, first, api, hub: { authorization: `${auth}, Element ${created.token}` } };
}

describe('bulk export across a killed process', () => {
  it('finishes after kill -9 and a restart with every issue exactly once', async () => {
    const { env, first, api, hub } = await switchboardWithInstance('bulk-crash');
    // Slow pages, so that the process dies with the job half done.
    await jira.control.put('/config', { latencyMs: 150 });
    const started = await call(`${api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select id, key from incidents')}`, { method: 'POST', headers: hub });
    expect(started.status).toBe(200);
    const status = async () => (await call(`${api}/hubs/helpdesk/bulk/${started.body.id}/status`, { headers: hub })).body;
    await waitFor(async () => (await status()).recordsCount >= 300);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.on('exit', r));
    await jira.control.put('/config', { latencyMs: 0 });

    const again = startSwitchboard(['serve'], { ...env, PORT: String(new URL(api).port) });
    await again.waitFor(/listening on/);
    try {
      let final: any;
      await waitFor(async () => {
        final = await status();
        return !['CREATED', 'RUNNING'].includes(final.status);
      }, 60_000);
      expect(final).toMatchObject({ status: 'COMPLETED', recordsCount: 1500 });
      const res = await fetch(`${api}/hubs/helpdesk/bulk/${started.body.id}/incidents`, { headers: { ...hub, accept: 'application/x-ndjson' } });
      const ids = (await res.text())
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id as string);
      expect(ids).toHaveLength(1500);
      expect(new Set(ids).size).toBe(1500);
    } finally {
      await again.stop();
    }
  }, 120_000);
});

describe('bulk import across a killed process', () => {
  it('finishes after kill -9 mid-batch and a restart, creating every row exactly once', async () => {
    const { env, first, api, hub } = await switchboardWithInstance('import-crash');
    const rows = 200;
    const text = Array.from({ length: rows }, (_, i) =>
      JSON.stringify({ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: `crashimport row${i + 1}` } }),
    ).join('\n');
    // Slow writes, so that the process dies with a batch half sent: some of its issues exist, its checkpoint does not say so.
    await jira.control.put('/config', { latencyMs: 100 });
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'application/x-ndjson' }), 'rows.ndjson');
    const started = await fetch(`${api}/hubs/helpdesk/bulk/incidents`, { method: 'POST', headers: hub, body: form });
    expect(started.status).toBe(200);
    const id = ((await started.json()) as { id: string }).id;
    const status = async () => (await call(`${api}/hubs/helpdesk/bulk/${id}/status`, { headers: hub })).body;
    await waitFor(async () => (await status()).recordsCount >= 40);
    await new Promise((r) => setTimeout(r, 250));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.on('exit', r));
    await jira.control.put('/config', { latencyMs: 0 });

    const again = startSwitchboard(['serve'], { ...env, PORT: String(new URL(api).port) });
    await again.waitFor(/listening on/);
    try {
      let final: any;
      await waitFor(async () => {
        final = await status();
        return !['CREATED', 'RUNNING'].includes(final.status);
      }, 60_000);
      expect(final).toMatchObject({ status: 'COMPLETED', recordsCount: rows, recordsFailedCount: 0 });
      const found = await jira.jira.get(`/rest/api/2/search?jql=${encodeURIComponent('summary ~ "crashimport"')}&maxResults=1000&fields=summary`);
      const summaries = found.body.issues.map((i: any) => i.fields.summary as string);
      expect(summaries).toHaveLength(rows);
      expect(new Set(summaries).size).toBe(rows);
    } finally {
      await again.stop();
    }
  }, 120_000);
});

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestStore } from '../helpers/test-store.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { bannerSecrets, startSwitchboard } from '../helpers/process.ts';

/**
 * A process told to stop (SIGTERM, as an orchestrator does) answers what it has begun, is not held
 * by a client's connection, says what a slow stop waits for, and exits 0.
 */
let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  jira = await withEmulator();
});
afterAll(async () => {
  await jira.close();
});

describe('switchboard serve, stopped', () => {
  it('answers the call in flight, names the slow step while it waits, and exits 0 despite a silent connection', async () => {
    const target = await newTestStore();
    const p = startSwitchboard(['serve'], {
      SWITCHBOARD_DATA_DIR: target.dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    });
    const base = (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const secrets = bannerSecrets(p.output());
    const auth = `User ${secrets.user}, Organization ${secrets.organization}`;
    const created = await createJiraInstance(base, auth, jira.baseUrl, { name: 'stopped' });
    // Longer than the 5 s after which a step of the close is named in the log.
    await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'delay', delayMs: 6_500, count: 1 });
    await jira.control.delete('/requests');
    const inFlight = fetch(`${base}/hubs/helpdesk/incidents/CE-1`, { headers: { authorization: `${auth}, Element ${created.token}` } });
    for (let i = 0; ((await jira.control.get('/requests')).body as unknown[]).length < 1; i++) {
      if (i > 200) throw new Error('the call did not reach Jira');
      await new Promise((r) => setTimeout(r, 20));
    }
    // A connection that sends nothing, as a browser opens ahead of its calls: were the process to
    // wait for it, the stop would overrun its budget and fail.
    const { port } = new URL(base);
    const silent = connect(Number(port), '127.0.0.1');
    await new Promise((resolve, reject) => silent.once('connect', resolve).once('error', reject));
    silent.on('error', () => undefined);

    const [code, answer] = await Promise.all([p.stop('SIGTERM'), inFlight]);
    expect(code).toBe(0);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('connection')).toBe('close');
    expect(((await answer.json()) as { key: string }).key).toBe('CE-1');
    const waited = p
      .output()
      .split('\n')
      .filter((l) => l.includes('closing: still waiting for'))
      .map((l) => JSON.parse(l) as { step: string });
    expect(waited.length).toBeGreaterThanOrEqual(1);
    expect(waited.every((l) => l.step === 'calls in flight')).toBe(true);
  }, 40_000);
});

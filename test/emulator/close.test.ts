import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';

describe('closing the emulator', () => {
  it('does not wait for its clients: an idle keep-alive connection or one that has sent nothing', async () => {
    const jira = await withEmulator();
    expect((await jira.jira.get('/rest/api/2/serverInfo')).status).toBe(200);
    const { port, hostname } = new URL(jira.baseUrl);
    const silent = connect(Number(port), hostname);
    await new Promise((resolve, reject) => silent.once('connect', resolve).once('error', reject));
    const ended = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    const started = Date.now();
    await jira.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await ended;
  });
});

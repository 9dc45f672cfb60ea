import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { call, startTestServer } from '../helpers/test-server.ts';

/**
 * Closing the server lets the calls in flight finish, then ends their connections: no client's
 * connection may hold the close open, whether it idles after a call (keep-alive, 72 s) or has not
 * sent a call yet (which Node never times out).
 */
let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  jira = await withEmulator();
});
afterAll(async () => {
  await jira.close();
});

describe('closing the server', () => {
  it('answers the calls in flight, read lane and Fastify alike, and then closes without waiting out their keep-alive', async () => {
    const server = await startTestServer();
    let closed: Promise<number> | undefined;
    try {
      const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'closing' });
      const headers = { authorization: `${server.auth}, Element ${created.token}` };
      // The read lane takes the calls of a caller it has seen.
      expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers })).status).toBe(200);
      await jira.control.post('/faults', { path: 'issue/CE-1$', kind: 'delay', delayMs: 1500, count: 2 });
      await jira.control.delete('/requests');
      // The first is answered by the read lane, the second (with a query) by Fastify.
      const inFlight = [
        fetch(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers }),
        fetch(`${server.api}/hubs/helpdesk/incidents/CE-1?raw=false`, { headers }),
      ];
      // Both have reached Jira: they are in flight when the close begins.
      for (let i = 0; ((await jira.control.get('/requests')).body as unknown[]).length < 2; i++) {
        if (i > 100) throw new Error('the calls did not reach Jira');
        await new Promise((r) => setTimeout(r, 20));
      }
      const started = Date.now();
      closed = server.close().then(() => Date.now() - started);
      // Should the close fail, the calls' answers are still awaited before the test fails.
      const [answers] = await Promise.all([Promise.all(inFlight), closed.catch(() => undefined)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      // Each tells its client to send no more on its connection.
      expect(answers.map((a) => a.headers.get('connection'))).toEqual(['close', 'close']);
      for (const answer of answers) expect(((await answer.json()) as { key: string }).key).toBe('CE-1');
      // Bounded well below the keep-alive timeout it used to wait out; the delay itself is 1.5 s.
      expect(await closed).toBeLessThan(10_000);
    } finally {
      // A test that failed before its close still closes its server.
      if (!closed) await server.close();
    }
  });

  it('ends a connection that has sent nothing yet, such as a browser opens ahead of its calls', async () => {
    const server = await startTestServer();
    let closing = false;
    try {
      const { port } = new URL(server.api);
      const quiet = connect(Number(port), '127.0.0.1');
      await new Promise((resolve, reject) => quiet.once('connect', resolve).once('error', reject));
      const ended = new Promise<void>((resolve) => quiet.once('close', () => resolve()));
      // Another that has been served and idles, as before.
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
      const started = Date.now();
      closing = true;
      await server.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      await ended;
    } finally {
      if (!closing) await server.close();
    }
  });
});

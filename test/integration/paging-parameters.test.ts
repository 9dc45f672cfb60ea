import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEvent } from '../helpers/event-log.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'paging' });
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

const get = (path: string, authorization = server.auth) => call(`${server.api}${path}`, { headers: { authorization } });

/** Events written straight into the log of the instance, `created_at` a second apart (some equal). */
async function logEvents(count: number, from: number): Promise<void> {
  const org = (await server.store.db.selectFrom('instances').select('organization_id').where('id', '=', instance.id).executeTakeFirstOrThrow()).organization_id;
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor((from + i) / 2))).toISOString();
    await logEvent(server.store, { organizationId: org, instanceId: instance.id, at });
  }
}

describe('paging parameters', () => {
  it('answer 400 naming the parameter for garbage, zero or a foreign token, on every list', async () => {
    const hub = `${server.auth}, Element ${instance.token}`;
    const cases: [string, string?][] = [
      ['/instances?page=abc'],
      ['/instances?pageSize=0'],
      ['/instances?page=0&pageSize=5'],
      ['/instances?nextPage=abc'],
      ['/instances/events?nextPage=abc'],
      ['/instances/events?pageSize=-1'],
      ['/instances/events?page=0'],
      [`/instances/${instance.id}/events?pageSize=x`],
      ['/accounts?page=x'],
      ['/users?pageSize=0'],
      ['/hubs/helpdesk/incidents?pageSize=0', hub],
      ['/hubs/helpdesk/incidents?page=-2', hub],
      ['/hubs/helpdesk/priorities?nextPage=%7B%7D', hub],
    ];
    for (const [path, auth] of cases) {
      const res = await get(path, auth);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.requestId).toEqual(expect.any(String));
      expect(res.body.message).toMatch(/page|nextPage|pageSize/);
    }
  });

  it('walks the event log with nextPage, each event once, while new events arrive', async () => {
    await logEvents(25, 0);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await get(`/instances/${instance.id}/events?pageSize=7${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('elements-returned-count')).toBe(String(res.body.length));
      seen.push(...res.body.map((e: { id: string }) => e.id));
      token = res.headers.get('elements-next-page-token') ?? undefined;
      // Newer events arrive between pages; an offset would shift them into the walk.
      if (pages++ === 0) await logEvents(5, 100);
    } while (token);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    // The organization-wide log pages the same way, and its tokens are its own.
    const all = await get('/instances/events?pageSize=3');
    const next = all.headers.get('elements-next-page-token')!;
    expect((await get(`/instances/events?nextPage=${encodeURIComponent(next)}`)).body).toHaveLength(3);
    expect((await get(`/instances/${instance.id}/events?nextPage=${encodeURIComponent(next)}`)).status).toBe(400);
  });
});

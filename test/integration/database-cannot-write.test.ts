import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { withEmulator } from '../helpers/jira-client.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;

/**
 * A database that cannot write now: on SQLite a full disk (the file may grow no more), on
 * PostgreSQL a read-only database (a standby, or a primary that a failover demoted). Either way
 * every session after the change sees it.
 */
async function stopWrites(stopped: boolean): Promise<void> {
  if (server.target.kind === 'sqlite') {
    // Per connection, and the server has one: lowered to the file's present size, it cannot grow.
    await sql.raw(`PRAGMA max_page_count = ${stopped ? 1 : 1_073_741_823}`).execute(server.store.db);
    return;
  }
  const url = new URL(server.config.databaseUrl!);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} ${stopped ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`);
    // The setting holds for new sessions: the server's pool opens them when these end.
    const sessions = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
    const pids = sessions.rows.map((r) => r.pid);
    await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
    // Only once those sessions are gone has the server seen its connections close. Before, a call
    // could take one that had not yet, and fail to authenticate: such a call has no usage record.
    await waitFor(async () => (await admin.query('select 1 from pg_stat_activity where pid = any($1)', [pids])).rowCount === 0);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_HUB_CACHE_TTL_MS: '60000' });
  jira = await withEmulator();
});
afterAll(async () => {
  await server?.close();
  await jira?.close();
});

describe('a database that cannot write now', () => {
  it('answers writes 503 with Retry-After, still serves, keeps usage records, and writes again once it can', async () => {
    const auth = { authorization: server.auth };
    // Every call's request id: each must have its usage record in the end.
    const requestIds: string[] = [];
    const track = async (url: string, init: Parameters<typeof call>[1] = {}) => {
      const res = await call(url, init);
      requestIds.push(res.headers.get('elements-request-id')!);
      return res;
    };
    const create = (name: string) =>
      track(`${server.api}/instances`, {
        method: 'POST',
        headers: auth,
        json: { element: { key: 'jiraonprem' }, name, configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } },
      });
    const instance = await create('before');
    expect(instance.status).toBe(200);
    const hub = { authorization: `${server.auth}, Element ${instance.body.token}` };
    expect((await track(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub })).status).toBe(200);
    const failedBefore = server.services.usage.stats().failedWrites;
    await stopWrites(true);
    try {
      // SQLite's pages have some room left: writes fail once it is taken.
      const statuses: number[] = [];
      for (let i = 0; i < 200 && !statuses.includes(503); i++) statuses.push((await create(`full ${i}`)).status);
      expect(
        statuses.every((s) => s === 200 || s === 503),
        statuses.join(),
      ).toBe(true);
      const refused = await create('refused');
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body).toEqual({ requestId: expect.any(String), message: expect.stringContaining('database') });
      // Reading needs no writing: lists and hub reads are served meanwhile.
      expect((await track(`${server.api}/instances`, { headers: auth })).status).toBe(200);
      expect((await track(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub })).status).toBe(200);
      // Their usage records cannot be written now (on SQLite, once the room left in the last page
      // of their table is taken): a write fails, and they wait.
      for (let i = 0; i < 1000 && server.services.usage.stats().failedWrites === failedBefore; i++) {
        await track(`${server.api}/instances`, { headers: auth });
        await server.services.usage.flush();
      }
      expect(server.services.usage.stats().failedWrites).toBeGreaterThan(failedBefore);
      expect(server.services.usage.stats().waiting).toBeGreaterThan(0);
    } finally {
      await stopWrites(false);
    }
    await waitFor(async () => {
      const found = await Promise.all(requestIds.map((id) => call(`${server.api}/usage/${id}`, { headers: auth })));
      return found.every((r) => r.status === 200);
    });
    expect((await create('after')).status).toBe(200);
  });
});

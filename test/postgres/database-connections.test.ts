import { describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';

/**
 * A TCP relay in front of PostgreSQL: taking it down is the database going away, for this process
 * only; silencing it is a database host gone without a reset, as a failed-over primary is: its
 * connections stay open and nothing more comes through them, while new connections reach a
 * database that answers.
 */
async function relayTo(upstream: URL) {
  const pairs = new Set<[Socket, Socket]>();
  const silent = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const db = connect(Number(upstream.port), upstream.hostname);
    const pair: [Socket, Socket] = [client, db];
    pairs.add(pair);
    for (const s of pair) s.on('error', () => undefined);
    client.pipe(db).pipe(client);
    client.on('close', () => db.destroy());
    db.on('close', () => {
      client.destroy();
      pairs.delete(pair);
    });
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const destroyAll = () => {
    for (const pair of pairs) for (const s of pair) s.destroy();
  };
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    down: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      destroyAll();
      await closed;
    },
    up: () => listen(port),
    /** The local ports of the relay's open connections to the database: their `client_port` in pg_stat_activity. */
    databasePorts: (): number[] => [...pairs].map(([, db]) => db.localPort).filter((p): p is number => p !== undefined),
    /** Every open connection stops carrying anything, neither closed nor reset; returns how many. */
    silence: (): number => {
      const silenced = pairs.size;
      for (const [client, db] of pairs) {
        client.unpipe(db);
        db.unpipe(client);
        client.pause();
        db.pause();
        silent.add([client, db]);
      }
      pairs.clear();
      return silenced;
    },
    close: async () => {
      destroyAll();
      for (const pair of silent) for (const s of pair) s.destroy();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A database that drops its connections (a restart, a failover, an administrator ending
 * sessions) must not take switchboard down: it answers again once the database does.
 */
describe('PostgreSQL connections', () => {
  it('keeps serving when the database ends every connection of the process', async () => {
    const target = await newTestStore();
    const p = startSwitchboard(['serve'], processEnv(target));
    const api = (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const auth = { authorization: bootstrapSecrets(target.dataDir).auth };
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    await admin.connect();
    try {
      // Several calls at once, so that the pool holds several idle connections afterwards.
      const before = await Promise.all(Array.from({ length: 8 }, () => call(`${api}/instances`, { headers: auth })));
      expect(before.map((r) => r.status)).toEqual(Array(8).fill(200));
      const ended = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      expect(ended.rowCount).toBeGreaterThan(1);
      // The listening connection is among them; its loss is reported once it is noticed.
      await p.waitFor(/signal connection lost/);
      await waitFor(async () => (await call(`${api}/instances`, { headers: auth }).catch(() => ({ status: 0 }))).status === 200);
      expect(p.child.exitCode, p.output()).toBeNull();
      const after = await Promise.all(Array.from({ length: 8 }, () => call(`${api}/instances`, { headers: auth })));
      expect(after.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(p.child.exitCode, p.output()).toBeNull();
    } finally {
      await admin.end();
      await p.stop();
    }
  }, 60_000);

  it('answers 503 with Retry-After while the database cannot be reached, loses no usage record, and serves and works again once it can', async () => {
    const target = await newTestStore();
    const jira = await withEmulator();
    const relay = await relayTo(new URL(target.databaseUrl!));
    const throughRelay = new URL(target.databaseUrl!);
    throughRelay.host = `127.0.0.1:${relay.port}`;
    const p = startSwitchboard(['serve'], processEnv(target, { DATABASE_URL: throughRelay.toString() }));
    try {
      const api = (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
      const auth = { authorization: bootstrapSecrets(target.dataDir).auth };
      const instance = await createJiraInstance(api, auth.authorization, jira.baseUrl, { name: 'outage' });
      const hub = { authorization: `${auth.authorization}, Element ${instance.token}` };
      expect((await call(`${api}/hubs/helpdesk/incidents/CE-1`, { headers: hub })).status).toBe(200);
      await relay.down();
      // Every call that needs it while it is away: an error body that says so, and when to try
      // again, never a 500.
      for (let i = 0; i < 3; i++) {
        const res = await call(`${api}/instances`, { headers: auth });
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body).toEqual({ requestId: expect.any(String), message: expect.stringContaining('database') });
      }
      // A hub read whose caller and instance are cached needs no database: it is served, and its
      // usage record waits in memory until the database is back.
      const served: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await call(`${api}/hubs/helpdesk/incidents/CE-1`, { headers: hub });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        served.push(res.headers.get('elements-request-id')!);
      }
      // The records' write fails, and so does its first retry (the next wait is 2 s).
      await p.waitFor(/"retryInMs":2000,"msg":"usage records could not be written yet/);
      expect(p.child.exitCode, p.output()).toBeNull();
      await relay.up();
      await waitFor(async () => (await call(`${api}/instances`, { headers: auth })).status === 200);
      expect(p.child.exitCode, p.output()).toBeNull();
      // Nothing lost: each call served while the database was away has its usage record.
      await waitFor(async () => {
        const found = await Promise.all(served.map((id) => call(`${api}/usage/${id}`, { headers: auth })));
        return found.every((r) => r.status === 200);
      });
      // The background work took up again: a bulk export runs through the job queue to its end.
      const started = await call(`${api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select id from incidents')}`, { method: 'POST', headers: hub });
      expect(started.status).toBe(200);
      await waitFor(async () => (await call(`${api}/hubs/helpdesk/bulk/${started.body.id}/status`, { headers: hub })).body.status === 'COMPLETED');
    } finally {
      await p.stop();
      await relay.close();
      await jira.close();
    }
  }, 60_000);
  it('closes a connection whose database stays silent, answers 503 meanwhile, and hears signals again', async () => {
    const target = await newTestStore();
    const jira = await withEmulator();
    const relay = await relayTo(new URL(target.databaseUrl!));
    const throughRelay = new URL(target.databaseUrl!);
    throughRelay.host = `127.0.0.1:${relay.port}`;
    const env = processEnv(target);
    // The node under test keeps a resolved hub caller a minute: only a signal can make it forget sooner.
    const p = startSwitchboard(['serve'], {
      ...env,
      DATABASE_URL: throughRelay.toString(),
      SWITCHBOARD_DATABASE_TIMEOUT_MS: '1000',
      SWITCHBOARD_HUB_CACHE_TTL_MS: '60000',
    });
    const other = startSwitchboard(['serve'], env);
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    await admin.connect();
    try {
      const api = (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
      const otherApi = (await other.waitFor(/listening on (http:\/\/\S+)/))[1]!;
      const auth = { authorization: bootstrapSecrets(target.dataDir).auth };
      const instance = await createJiraInstance(api, auth.authorization, jira.baseUrl, { name: 'silence' });
      const hub = { authorization: `${auth.authorization}, Element ${instance.token}` };
      // Several calls at once leave several idle connections in the pool, beside the listening one.
      const before = await Promise.all(Array.from({ length: 8 }, () => call(`${api}/instances`, { headers: auth })));
      expect(before.map((r) => r.status)).toEqual(Array(8).fill(200));
      // The listening connection must be among those silenced: on a loaded machine its first
      // connect may have timed out and its retry be still waiting.
      await waitFor(async () => {
        const listening = await admin.query(
          "select 1 from pg_stat_activity where application_name = 'switchboard signals' and state = 'idle' and client_port = any($1)",
          [relay.databasePorts()],
        );
        return listening.rowCount === 1;
      });
      expect(relay.silence()).toBeGreaterThan(2);
      // Calls one after another take the silent connections in turn. None may hang: without the
      // silence rule, the first call given a silent connection waits for ever.
      const statuses: number[] = [];
      await waitFor(async () => {
        const res = await call(`${api}/instances`, { headers: auth, signal: AbortSignal.timeout(5000) });
        statuses.push(res.status);
        if (res.status === 503) expect(res.body).toEqual({ requestId: expect.any(String), message: expect.stringContaining('database') });
        return res.status === 200;
      });
      expect(
        statuses.every((s) => s === 200 || s === 503),
        statuses.join(),
      ).toBe(true);
      expect(p.output()).toMatch(/the database did not answer within 1000 ms/);
      // The listening connection only receives: its next question finds the silence, and it
      // listens again on a new connection.
      await p.waitFor(/"err":"the database did not answer within 1000 ms[^"]*","msg":"signal connection lost/);
      expect((await call(`${api}/hubs/helpdesk/incidents/CE-1`, { headers: hub })).status).toBe(200);
      // Deleted on the other node: this one hears it and refuses the token long before its cache would expire.
      expect((await call(`${otherApi}/instances/${instance.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
      await waitFor(async () => (await call(`${api}/hubs/helpdesk/incidents/CE-1`, { headers: hub })).status === 401, 10_000);
      expect(p.child.exitCode, p.output()).toBeNull();
    } finally {
      await admin.end();
      await Promise.all([p.stop(), other.stop()]);
      await relay.close();
      await jira.close();
    }
  }, 60_000);
});

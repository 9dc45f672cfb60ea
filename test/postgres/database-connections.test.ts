import { describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';
import { withEmulator } from '../helpers/jira-client.ts';

/** A TCP relay in front of PostgreSQL: taking it down is the database going away, for this process only. */
async function relayTo(upstream: URL) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const db = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, db]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(db).pipe(client);
    client.on('close', () => db.destroy());
    db.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    down: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    up: () => listen(port),
    close: async () => {
      for (const s of sockets) s.destroy();
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
      const instance = await call(`${api}/instances`, {
        method: 'POST',
        headers: auth,
        json: { element: { key: 'jiraonprem' }, name: 'outage', configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } },
      });
      expect(instance.status).toBe(200);
      const hub = { authorization: `${auth.authorization}, Element ${instance.body.token}` };
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
      // Longer than the first retry of the records' write, which fails.
      await new Promise((resolve) => setTimeout(resolve, 1500));
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
});

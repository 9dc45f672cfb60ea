import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newTestStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { runSwitchboard, startSwitchboard } from '../helpers/process.ts';

async function envFor(extra: Record<string, string> = {}) {
  const target = await newTestStore();
  return {
    target,
    env: {
      SWITCHBOARD_DATA_DIR: target.dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
      ...extra,
    } as Record<string, string>,
  };
}

describe('switchboard serve', () => {
  it('bootstraps an organization on first start, prints its secrets and serves the documented call', async () => {
    const { target, env } = await envFor();
    const p = startSwitchboard(['serve'], env);
    const [, base] = await p.waitFor(/listening on (http:\/\/\S+)/);
    const out = p.output();
    const org = /Organization secret: ([0-9a-f]{32})/.exec(out)?.[1];
    const user = /User secret: +(\S{44})/.exec(out)?.[1];
    const password = /Admin password: +(\S+)/.exec(out)?.[1];
    expect(org && user && password).toBeTruthy();
    const file = join(target.dataDir, 'bootstrap.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      organizationSecret: org,
      userSecret: user,
      adminEmail: 'admin@switchboard.local',
      adminPassword: password,
    });

    const res = await call(`${base}/elements/jiraonprem`, { headers: { authorization: `User ${user}, Organization ${org}` } });
    expect(res.status).toBe(200);
    expect(res.body.key).toBe('jiraonprem');
    // A secret-named query parameter (here percent-escaped) is logged redacted.
    const bad = await call(`${base}/accounts?api%4Bey=query-secret-value&pageSize=1`, {
      headers: { authorization: `User ${user}, Organization ${'0'.repeat(32)}` },
    });
    expect(bad.status).toBe(401);
    // A vendor webhook URL carries its instance's secret; the access log shows the route instead.
    const webhookSecret = 'a'.repeat(43);
    expect((await call(`${base}/events/jiraonprem/1/${webhookSecret}`, { method: 'POST', json: {} })).status).toBe(401);

    expect(await p.stop('SIGTERM')).toBe(0);
    const logs = p.output();
    // One access line per call without a usage record (test/cli/access-log.test.ts), flushed by
    // the time the process has exited.
    const access = logs
      .split('\n')
      .filter((l) => l.includes('"request completed"'))
      .map((l) => JSON.parse(l));
    expect(access.map((l) => [l.method, l.url, l.statusCode])).toEqual([
      ['GET', '/elements/api-v2/accounts?apiKey=%5Bredacted%5D&pageSize=1', 401],
      ['POST', '/elements/api-v2/events/jiraonprem/:instance/:secret', 401],
    ]);
    expect(logs).not.toContain(webhookSecret);
    expect(logs).not.toContain('query-secret-value');
    expect(logs).not.toContain('incoming request');
    // The secrets appear once, in the bootstrap banner, and never in request logs.
    expect(logs.split(user!).length - 1).toBe(2);

    // A restart keeps the organization (no new bootstrap) and the same secrets work.
    const again = startSwitchboard(['serve'], env);
    const [, base2] = await again.waitFor(/listening on (http:\/\/\S+)/);
    expect(again.output()).not.toContain('created your organization');
    expect((await call(`${base2}/accounts`, { headers: { authorization: `User ${user}, Organization ${org}` } })).status).toBe(200);
    expect(await again.stop('SIGINT')).toBe(0);

    if (target.kind === 'sqlite') {
      // No secret or password is stored in plain text anywhere in the data directory's database files.
      const bytes = readdirSync(target.dataDir)
        .filter((f) => f.startsWith('switchboard.db'))
        .map((f) => readFileSync(join(target.dataDir, f)).toString('latin1'))
        .join('');
      for (const secret of [org!, user!, password!]) expect(bytes).not.toContain(secret);
    }
  });

  it('uses secrets pinned through the environment', async () => {
    const pinned = {
      SWITCHBOARD_ORGANIZATION_SECRET: 'ce7f1f9be0d2a8b1f37bcfa6d71eda20',
      SWITCHBOARD_USER_SECRET: '7OpR4MRo7wnPoVKkKFXHhHBUPRzqutoem/d+WEnR1kY=',
      SWITCHBOARD_ADMIN_EMAIL: 'ops@example.com',
      SWITCHBOARD_ADMIN_PASSWORD: 'pinned-password-1',
    };
    const { env } = await envFor(pinned);
    const p = startSwitchboard(['serve'], env);
    const [, base] = await p.waitFor(/listening on (http:\/\/\S+)/);
    const res = await call(`${base}/users/ops@example.com`, {
      headers: {
        authorization: `User ${pinned.SWITCHBOARD_USER_SECRET}, Organization ${pinned.SWITCHBOARD_ORGANIZATION_SECRET}`,
        'elements-user-password': 'pinned-password-1',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.secret).toBe(pinned.SWITCHBOARD_USER_SECRET);
    await p.stop();
  });

  it('creates further organizations with `org create` and migrates with `migrate`', { timeout: 60_000 }, async () => {
    const { env } = await envFor();
    const migrated = await runSwitchboard(['migrate'], env);
    expect(migrated.code).toBe(0);
    expect(migrated.output).toMatch(/applied: 0001-tenancy/);
    expect((await runSwitchboard(['migrate'], env)).output).toMatch(/up to date/);

    const created = await runSwitchboard(['org', 'create', '--name', 'Second', '--admin-email', 'second@example.com'], env);
    expect(created.code).toBe(0);
    const json = JSON.parse(created.output);
    expect(json).toMatchObject({ name: 'Second', adminEmail: 'second@example.com' });
    expect(json.organizationSecret).toMatch(/^[0-9a-f]{32}$/);

    const duplicate = await runSwitchboard(['org', 'create', '--name', 'Again', '--admin-email', 'second@example.com'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.output).toMatch(/already exists/);

    const p = startSwitchboard(['serve'], env);
    const [, base] = await p.waitFor(/listening on (http:\/\/\S+)/);
    // The store already has an organization, so serve does not bootstrap another.
    expect(p.output()).not.toContain('created your organization');
    const res = await call(`${base}/accounts`, { headers: { authorization: `User ${json.userSecret}, Organization ${json.organizationSecret}` } });
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({ defaultAccount: true, externalId: 'second@example.com' });
    await p.stop();
  });

  it('names pinned first-start values that an existing database makes moot', async () => {
    const { env } = await envFor();
    const first = startSwitchboard(['serve'], env);
    await first.waitFor(/listening on/);
    await first.stop();
    const again = startSwitchboard(['serve'], {
      ...env,
      SWITCHBOARD_ORGANIZATION_SECRET: 'ce7f1f9be0d2a8b1f37bcfa6d71eda20',
      SWITCHBOARD_ADMIN_EMAIL: 'admin@switchboard.local',
      SWITCHBOARD_ADMIN_PASSWORD: 'not-the-password',
    });
    await again.waitFor(/listening on/);
    expect(again.output()).toMatch(/warning: SWITCHBOARD_ORGANIZATION_SECRET, SWITCHBOARD_ADMIN_PASSWORD are set but not in force/);
    await again.stop();
  });

  it('stops on SIGTERM when the reader of its output has gone (a closed pipe)', async () => {
    const { env } = await envFor();
    const p = startSwitchboard(['serve'], env);
    const [, base] = await p.waitFor(/listening on (http:\/\/\S+)/);
    // A log shipper or `| head` that ended: every write to stdout now fails with EPIPE.
    p.child.stdout!.destroy();
    expect((await fetch(`${base}/instances`)).status).toBe(401);
    const started = Date.now();
    expect(await p.stop()).toBe(0);
    // The shutdown gives the log writer 1 s; it must not wait for a reader that will never come.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('SWITCHBOARD_ROLE=worker runs the worker alone, without serving HTTP', async () => {
    const { env } = await envFor();
    await runSwitchboard(['migrate'], env);
    const p = startSwitchboard(['serve'], { ...env, SWITCHBOARD_ROLE: 'worker' });
    await p.waitFor(/worker running/);
    expect(p.output()).not.toMatch(/listening on/);
    // It runs until it is stopped. On SQLite nothing else holds the process open: it once ended by
    // itself within milliseconds of saying it runs.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(p.child.exitCode, p.output()).toBeNull();
    expect(await p.stop()).toBe(0);
  });

  it('refuses a master key that does not open the database, and never writes a new key beside it', async () => {
    const keyA = Buffer.alloc(32, 7).toString('base64');
    const { target, env } = await envFor({ SWITCHBOARD_MASTER_KEY: keyA });
    const first = startSwitchboard(['serve'], env);
    await first.waitFor(/listening on/);
    await first.stop();
    const wrong = await runSwitchboard(['serve'], { ...env, SWITCHBOARD_MASTER_KEY: Buffer.alloc(32, 8).toString('base64') });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/encrypted under master key \w+, but SWITCHBOARD_MASTER_KEY is key \w+: set SWITCHBOARD_MASTER_KEY/);
    const none = await runSwitchboard(['serve'], { ...env, SWITCHBOARD_MASTER_KEY: '' });
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/none is configured: set SWITCHBOARD_MASTER_KEY/);
    expect(existsSync(join(target.dataDir, 'master.key'))).toBe(false);
  });

  it('says which database does not answer, without its password, and exits', async () => {
    const { env } = await envFor({ DATABASE_URL: 'postgres://switchboard:a-db-password@127.0.0.1:1/switchboard' });
    const r = await runSwitchboard(['serve'], env);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/the database does not answer \(DATABASE_URL points at 127\.0\.0\.1:1\/switchboard\): connect ECONNREFUSED/);
    expect(r.output).not.toContain('a-db-password');
  });

  it('refuses to start with invalid configuration and says why', async () => {
    const { env } = await envFor({ PORT: 'eighty' });
    const r = await runSwitchboard(['serve'], env);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/PORT must be an integer/);
  });
});

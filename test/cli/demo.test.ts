import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '../helpers/wait.ts';
import { newTestStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startDemo } from '../helpers/process.ts';

describe('switchboard serve --demo', () => {
  it('starts a seeded Jira so the printed cURL creates an instance at once; logs never show the password', async () => {
    const { process: p, api, authorization: auth, instance: data } = await startDemo('debug');
    expect(data.configuration.siteAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const created = await call(`${api}/instances`, { method: 'POST', headers: { authorization: auth }, json: data });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'API Instance', tags: ['Docs', 'API Instance'], valid: true });

    const secret = 'Wr0ng-Unique-Pa55word';
    const refused = await call(`${api}/instances`, {
      method: 'POST',
      headers: { authorization: auth },
      json: { ...data, configuration: { ...data.configuration, password: secret } },
    });
    expect(refused.status).toBe(400);
    expect(await p.stop()).toBe(0);
    const logs = p.output();
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(created.body.token);
    expect(logs).toMatch(/instance created/);
  });
});

describe("the README's start commands", () => {
  const root = resolve(import.meta.dirname, '../..');
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  // npm runs the script through a shell; without `exec` the shell, not switchboard, gets npm's signal.
  for (const [script, signal] of [
    ['demo', 'SIGTERM'],
    ['start', 'SIGINT'],
  ] as const) {
    it(`npm run ${script} stops switchboard on ${signal}`, async () => {
      const target = await newTestStore();
      const npm = spawn('npm', ['run', script, ...(script === 'demo' ? ['--', '--demo-jira-port', '0'] : [])], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          SWITCHBOARD_DATA_DIR: target.dataDir,
          PORT: '0',
          ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
        },
      });
      let out = '';
      npm.stdout.on('data', (d: Buffer) => (out += d));
      npm.stderr.on('data', (d: Buffer) => (out += d));
      // pino's first line carries switchboard's own pid (npm's child, once the shell has exec'd).
      await waitFor(() => /listening on http/.test(out) && /"pid":\d+/.test(out), 60_000);
      const pid = Number(/"pid":(\d+)/.exec(out)![1]);
      expect(alive(pid)).toBe(true);
      npm.kill(signal);
      await waitFor(() => !alive(pid), 15_000);
    }, 90_000);
  }
});

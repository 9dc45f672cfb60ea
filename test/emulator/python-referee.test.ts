import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { withEmulator } from '../helpers/jira-client.ts';

/**
 * The emulator refereed by an independent client: Debian's python3-jira. `.ci/run` installs it;
 * elsewhere the test is skipped with a message when the package is missing.
 */
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import jira'], { encoding: 'utf8' }).status === 0;
if (!available) console.warn('python-referee: skipped, python3-jira is not installed (apt-get install -y python3-jira)');

describe.skipIf(!available)('python3-jira referee', () => {
  let em: Awaited<ReturnType<typeof withEmulator>>;
  beforeAll(async () => {
    em = await withEmulator({ contextPath: '/jira' });
  });
  afterAll(async () => {
    await em.close();
  });

  it('creates, reads, changes and deletes every resource a client reaches: issues, comments, attachments, worklogs, transitions, properties, users, watchers, votes, remote links, issue links, components and versions', async () => {
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(PYTHON, [resolve(import.meta.dirname, '../referee/python_jira_referee.py'), em.baseUrl], { env: { PATH: '/usr/bin:/bin' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('exit', (status) => done({ status, stdout, stderr }));
    });
    expect(run.stderr).not.toMatch(/Traceback/);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ ok: true });
    expect(run.status).toBe(0);
    expect(Object.keys(last.results)).toHaveLength(39);
  }, 60_000);
});

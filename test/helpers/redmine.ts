import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real Redmine from Debian's packages (`apt-get install redmine redmine-sqlite thin`), run
 * from the folder the package installs it in, each server on its own copy of a prepared
 * database. `.ci/run` installs the packages; elsewhere the tests that need it are skipped with
 * one line naming them.
 */
export const REDMINE_ROOT = '/usr/share/redmine';
/** The package's own database configuration: where its database, created at install, is. */
const PACKAGE_DATABASE_YML = '/etc/redmine/default/database.yml';
export const REDMINE_PACKAGES = 'apt-get install -y redmine redmine-sqlite thin';

/** The package's database, or undefined when Redmine is not installed. */
export function packageDatabase(): string | undefined {
  if (!existsSync(join(REDMINE_ROOT, 'bin/rails')) || !existsSync(PACKAGE_DATABASE_YML)) return undefined;
  const path = /^\s*database:\s*(\S+)\s*$/m.exec(readFileSync(PACKAGE_DATABASE_YML, 'utf8'))?.[1];
  return path && existsSync(path) ? path : undefined;
}

const railsEnv = (database: string) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
  RAILS_ENV: 'production',
  DATABASE_URL: `sqlite3:${database}`,
  REDMINE_LANG: 'en',
});

function run(args: string[], database: string): void {
  const r = spawnSync(args[0]!, args.slice(1), { cwd: REDMINE_ROOT, env: railsEnv(database), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/**
 * A copy of the package's database made ready once: default trackers, statuses and priorities,
 * the REST API on, the admin's forced password change lifted (admin/admin), and one issue custom
 * field ("Customer", id 1).
 */
export function prepareTemplate(): string {
  const source = packageDatabase();
  if (!source) throw new Error(`Redmine is not installed (${REDMINE_PACKAGES})`);
  const dir = mkdtempSync(join(tmpdir(), 'sb-redmine-template-'));
  const template = join(dir, 'redmine.sqlite3');
  copyFileSync(source, template);
  run(['bin/rake', 'redmine:load_default_data'], template);
  const ready = [
    'Setting.rest_api_enabled = "1"',
    'u = User.find_by_login("admin"); u.must_change_passwd = false; u.save!',
    // Redmine has no API that makes custom fields: one issue field, for every tracker, filterable.
    'IssueCustomField.create!(name: "Customer", field_format: "string", is_for_all: true, is_filter: true, tracker_ids: Tracker.pluck(:id))',
  ];
  run(['bin/rails', 'runner', ready.join('; ')], template);
  return template;
}

export interface RunningRedmine {
  baseUrl: string;
  /** The database this server works on, for a test that changes a setting behind its back. */
  database: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts a Redmine on its own copy of `template`; resolves when it answers its REST API. */
export async function startRedmine(template: string): Promise<RunningRedmine> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-redmine-'));
  const database = join(dir, 'redmine.sqlite3');
  copyFileSync(template, database);
  // Another process may take the free port before Rails binds it: then it exits and another is tried.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn('bin/rails', ['server', '-b', '127.0.0.1', '-p', String(port), '-P', join(dir, 'server.pid')], {
      cwd: REDMINE_ROOT,
      env: railsEnv(database),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    const baseUrl = `http://127.0.0.1:${port}`;
    if (await answers(baseUrl, child, 90_000)) {
      return {
        baseUrl,
        database,
        close: async () => {
          await stop(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    if (attempt === 3 || !/address already in use/i.test(output)) throw new Error(`Redmine did not start on port ${port}:\n${output.slice(-3000)}`);
  }
}

async function answers(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${baseUrl}/users/current.json`, { headers: { authorization: basicAuth('admin', 'admin') }, signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Ends the server and anything it started (it runs in its own process group). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Redmine's REST API as its admin, for seeding and checking what the connector did. */
export function redmineClient(baseUrl: string, authorization = basicAuth('admin', 'admin')) {
  async function request<T = any>(method: string, path: string, json?: unknown): Promise<{ status: number; body: T; text: string }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization, accept: 'application/json', ...(json !== undefined && { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: ((res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text) as T, text };
  }
  return {
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, json: unknown) => request<T>('POST', path, json),
    put: <T = any>(path: string, json: unknown) => request<T>('PUT', path, json),
    delete: <T = any>(path: string) => request<T>('DELETE', path),
  };
}

export interface RedmineSeed {
  projectId: number;
  projectIdentifier: string;
  /** The admin's API key (Redmine makes it on first ask). */
  apiKey: string;
  issueIds: number[];
}

/** A project with every tracker, and `issues` issues in it, made through the REST API. */
export async function seedRedmine(baseUrl: string, issues: number): Promise<RedmineSeed> {
  const rm = redmineClient(baseUrl);
  const me = await rm.get('/users/current.json');
  const trackers = (await rm.get('/trackers.json')).body.trackers as { id: number }[];
  const project = await rm.post('/projects.json', {
    project: { name: 'Switchboard', identifier: 'switchboard', is_public: true, tracker_ids: trackers.map((t) => t.id) },
  });
  if (project.status !== 201) throw new Error(`seeding the project: ${project.status} ${project.text}`);
  const projectId = project.body.project.id as number;
  const issueIds: number[] = [];
  for (let i = 1; i <= issues; i++) {
    const created = await rm.post('/issues.json', { issue: { project_id: projectId, tracker_id: trackers[i % trackers.length]!.id, subject: `seeded ${i}` } });
    if (created.status !== 201) throw new Error(`seeding issue ${i}: ${created.status} ${created.text}`);
    issueIds.push(created.body.issue.id);
  }
  return { projectId, projectIdentifier: 'switchboard', apiKey: me.body.user.api_key, issueIds };
}

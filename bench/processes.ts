import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dispatcher, request } from 'undici';
import { switchboardNodeFlags } from '../test/helpers/node-flags.ts';

/** `node` arguments that start `switchboard serve` as `npm start` does. */
export const SWITCHBOARD_SERVE = [...switchboardNodeFlags(), 'bin/switchboard.js', 'serve'];

/**
 * Starts `node <args>` (in `cwd`, or here) as a server of a benchmark and resolves once its output matches `ready`.
 * Everything it writes is read (a full pipe would stall the server); only the start-up is kept.
 */
export function startNode(args: string[], env: Record<string, string>, ready: RegExp, cwd?: string): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd && { cwd }) });
    let out: string | undefined = '';
    const on = (d: Buffer) => {
      if (out === undefined) return;
      out += d;
      const m = out.match(ready);
      if (m) {
        out = undefined;
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`node ${args.join(' ')} exited ${code}: ${out}`)));
  });
}

/**
 * A data directory for one benchmark's switchboard, removed when the benchmark's process exits:
 * a run under load leaves tens of megabytes of usage records in it.
 */
export function benchDataDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sb-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface StartedSwitchboard {
  child: ChildProcess;
  /** The API's base URL (`…/elements/api-v2`). */
  api: string;
  secrets: { userSecret: string; organizationSecret: string };
}

/**
 * `switchboard serve` with a data directory of its own (on the bench's DATABASE_URL, if one is
 * set), started from `cwd` (another checkout) or from this one, with `nodeArgs` before its own.
 */
export async function startSwitchboard(
  name: string,
  env: Record<string, string> = {},
  cwd?: string,
  nodeArgs: readonly string[] = [],
): Promise<StartedSwitchboard> {
  const dataDir = benchDataDir(name);
  const node = await startNode(
    [...nodeArgs, ...SWITCHBOARD_SERVE],
    { SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', ...env, ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }) },
    /listening on (\S+)/,
    cwd,
  );
  const secrets = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as StartedSwitchboard['secrets'];
  return { child: node.child, api: node.match[1]!, secrets };
}

/** What a bench's `jiraonprem` instance is made with, beside its Jira. */
export interface InstanceOptions {
  name: string;
  /** Instance settings beside the configuration (`cachingEnabled`, …). */
  settings?: Record<string, unknown>;
  /** Configuration keys beside the Jira credentials. */
  configuration?: Record<string, unknown>;
}

/** A `jiraonprem` instance on `jiraBase` as `admin`; resolves to its token. */
export async function createInstance(on: StartedSwitchboard, dispatcher: Dispatcher, jiraBase: string, options: InstanceOptions): Promise<string> {
  const created = await request(`${on.api}/instances`, {
    method: 'POST',
    dispatcher,
    headers: { authorization: `User ${on.secrets.userSecret}, Organization ${on.secrets.organizationSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      element: { key: 'jiraonprem' },
      name: options.name,
      ...options.settings,
      configuration: { username: 'admin', password: 'admin', siteAddress: jiraBase, ...options.configuration },
    }),
  });
  const body = (await created.body.json()) as { token?: string; message?: string };
  if (created.statusCode !== 200 || !body.token) throw new Error(`creating ${options.name}: ${created.statusCode} ${body.message ?? ''}`);
  return body.token;
}

/** The Authorization header of hub calls to an instance. */
export const hubAuthorization = (on: StartedSwitchboard, token: string): string =>
  `User ${on.secrets.userSecret}, Organization ${on.secrets.organizationSecret}, Element ${token}`;

/**
 * CPU time of a process so far, all its threads, in microseconds (Linux). Read from each thread's
 * `schedstat`, which counts nanoseconds: `stat` counts clock ticks of 10 ms, and a round of a few
 * seconds at a few hundred µs per request is only some 40 ticks, so a tick more or less moved a
 * round's ratio by 2–3%. Where `schedstat` is missing, `stat` is read.
 */
export function cpuMicros(pid: number): number {
  if (!existsSync(`/proc/${pid}/schedstat`)) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
  }
  let nanos = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    // A thread may end between the listing and the read.
    try {
      nanos += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {}
  }
  return nanos / 1000;
}

/**
 * CPU time the whole machine has spent so far, all cores, in microseconds, and its idle time
 * (Linux: the first line of /proc/stat, in clock ticks of 10 ms; iowait counts as idle, and
 * time the hypervisor gave to other machines, steal, as neither).
 */
export function machineMicros(): { busy: number; idle: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq … (guest time is already in user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = ticks;
  const micros = 1e6 / 100;
  return { busy: (user + nice + system + irq + softirq) * micros, idle: (idle + iowait) * micros };
}

/**
 * Where a proxied hub read's CPU goes, beside the bare proxy's. Each server runs under V8's
 * sampling profiler (`--cpu-prof`) and is loaded alone with the same read (wrk, `--connections`,
 * `--seconds`), the two taking turns for `--rounds` rounds: loaded at once on two cores, a
 * sample would also count the time a server waits for a core. The samples of each server's main
 * thread taken while it was loaded are summed by category (its own code, undici, SQLite, pino,
 * node's modules, each native write, garbage collection) and divided by the requests it answered.
 * bench:compare says how far switchboard is from the bare proxy; this says in which parts, and
 * lists switchboard's own functions that cost the most.
 *
 * V8's profiler samples the main thread: GC helper threads do not appear, and a native write's
 * time includes its system call, which moves most from one round to the next (so each round's
 * totals are shown too). The bare proxy is bench/bare-proxy.ts; switchboard is started as
 * `npm start` starts it.
 *
 * Run: npm run bench:profile [-- --rounds 3 --seconds 6 --connections 5 --issues 2000 --top 25]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'undici';
import { numberArg } from './args.ts';
import { chooseLoadGenerator, load } from './load.ts';
import { OutsideLoad } from './outside-load.ts';
import { createInstance, hubAuthorization, startNode, startSwitchboard } from './processes.ts';

const seconds = numberArg('seconds', 6);
const connections = numberArg('connections', 5);
const issues = numberArg('issues', 2000);
const top = numberArg('top', 25);
const rounds = numberArg('rounds', 3);
const loadgen = chooseLoadGenerator(undefined);

/** The parts of a `.cpuprofile` read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds of the monotonic clock, which V8's profiler stamps its samples with too. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

const profileDir = mkdtempSync(join(tmpdir(), 'sb-bench-profile-'));
process.on('exit', () => rmSync(profileDir, { recursive: true, force: true }));
const profilerFlags = (name: string) => ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`, '--cpu-prof-interval=100'];

/** What a sample's function belongs to; `own` names the server's own code by its file's path. */
function category(frame: CpuProfile['nodes'][number]['callFrame'], own: (url: string) => boolean): string {
  const { url, functionName } = frame;
  if (!url) return /^write/.test(functionName) ? `native ${functionName} (system call included)` : functionName || '(native)';
  if (own(url)) return 'own code';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg === 'kysely' || pkg === 'better-sqlite3') return 'SQLite (kysely, better-sqlite3)';
  if (pkg === 'pino' || pkg === 'sonic-boom') return 'pino, sonic-boom';
  if (pkg) return pkg;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  return url.startsWith('wasm') ? 'wasm (undici’s HTTP parser)' : url;
}

interface Measured {
  requests: number;
  /** Microseconds per request, by category and by own function. */
  byCategory: Map<string, number>;
  byOwnFunction: Map<string, number>;
}

/** The main thread's profile (thread 0) that `node --cpu-prof` wrote into `dir`. */
function mainProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) throw new Error(`no main-thread profile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
}

function summarize(profile: CpuProfile, windows: readonly { from: number; to: number; requests: number }[], own: (url: string) => boolean): Measured {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const byCategory = new Map<string, number>();
  const byOwnFunction = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros / requests);
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const interval = profile.timeDeltas[i]!;
    at += interval;
    if (!windows.some((w) => at >= w.from && at <= w.to)) continue;
    const frame = frames.get(profile.samples[i]!)!;
    const what = category(frame, own);
    if (what === '(idle)') continue;
    add(byCategory, what, interval);
    if (what === 'own code') add(byOwnFunction, `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`, interval);
  }
  if (byCategory.size === 0) throw new Error('no samples fell within the load');
  return { requests, byCategory, byOwnFunction };
}

/** A server's measure over all its rounds, and over each. */
interface Runs {
  pooled: Measured;
  rounds: Measured[];
}

/** A server under profile, and the read it is loaded with. */
interface Target {
  name: string;
  child: ChildProcess;
  url: string;
  headers: Record<string, string>;
  own: (url: string) => boolean;
  /** The signal on which it exits, writing its profile. */
  stop: NodeJS.Signals;
}

/**
 * Loads the targets one at a time, taking turns for `rounds` rounds (each with a second of
 * warm-up), then stops them so that they write their profiles; each target's measure covers the
 * windows in which it alone was loaded.
 */
async function measure(targets: readonly Target[]): Promise<Runs[]> {
  const windows = targets.map(() => [] as { from: number; to: number; requests: number }[]);
  const outside = new OutsideLoad();
  for (let round = 0; round < rounds; round++) {
    outside.reset();
    // Alternating which goes first, so that neither always follows the other.
    const order = round % 2 === 0 ? targets.map((_, i) => i) : targets.map((_, i) => targets.length - 1 - i);
    for (const i of order) {
      const t = targets[i]!;
      await load(loadgen, t.url, t.headers, connections, 1);
      const from = nowMicros();
      const result = await load(loadgen, t.url, t.headers, connections, seconds);
      if (result.errors > 0) throw new Error(`${t.name}: ${result.errors} errors under load`);
      windows[i]!.push({ from, to: nowMicros(), requests: result.requestsPerSecond * seconds });
    }
    const warning = outside.warning();
    if (warning) console.log(`round ${round + 1}:${warning}`);
  }
  return Promise.all(
    targets.map(async (t, i) => {
      t.child.kill(t.stop);
      await new Promise((resolve) => t.child.once('exit', resolve));
      const profile = mainProfile(join(profileDir, t.name));
      return { pooled: summarize(profile, windows[i]!, t.own), rounds: windows[i]!.map((w) => summarize(profile, [w], t.own)) };
    }),
  );
}

const jira = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
const key = `CE-${Math.floor(issues * 0.3)}`;

const bare = await startNode([...profilerFlags('bare'), '--import', 'tsx', 'bench/bare-proxy.ts', jiraBase], {}, /ready at (\S+)/);
const agent = new Agent({ keepAliveTimeout: 30_000 });
const sb = await startSwitchboard('profile', {}, undefined, profilerFlags('switchboard'));
const token = await createInstance(sb, agent, jiraBase, { name: 'profile' });
await agent.close();
const [bareRuns, sbRuns] = (await measure([
  {
    name: 'bare',
    child: bare.child,
    url: `${bare.match[1]}/rest/api/2/issue/${key}`,
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`, accept: 'application/json' },
    own: (url) => url.endsWith('/bench/bare-proxy.ts'),
    stop: 'SIGINT',
  },
  {
    name: 'switchboard',
    child: sb.child,
    url: `${sb.api}/hubs/helpdesk/incidents/${key}`,
    headers: { authorization: hubAuthorization(sb, token), accept: 'application/json' },
    // The bundle `npm start` runs, or the sources when run through tsx.
    own: (url) => url.includes('/node_modules/.cache/switchboard/') || url.includes('/src/'),
    stop: 'SIGTERM',
  },
])) as [Runs, Runs];
const bareMeasured = bareRuns.pooled;
const sbMeasured = sbRuns.pooled;
jira.child.kill('SIGTERM');

const column = (n: number) => n.toFixed(1).padStart(12);
const total = (m: Measured) => [...m.byCategory.values()].reduce((a, b) => a + b, 0);
console.log(
  `Main-thread CPU per request, µs (each loaded alone, ${rounds} rounds of ${seconds} s by ${loadgen} with ${connections} connections; ${Math.round(bareMeasured.requests)} and ${Math.round(sbMeasured.requests)} requests)`,
);
console.log(`${'category'.padEnd(44)}${'bare proxy'.padStart(12)}${'switchboard'.padStart(12)}${'difference'.padStart(12)}`);
const categories = [...new Set([...bareMeasured.byCategory.keys(), ...sbMeasured.byCategory.keys()])];
categories.sort((a, b) => (sbMeasured.byCategory.get(b) ?? 0) - (sbMeasured.byCategory.get(a) ?? 0));
for (const c of categories) {
  const a = bareMeasured.byCategory.get(c) ?? 0;
  const b = sbMeasured.byCategory.get(c) ?? 0;
  if (Math.max(a, b) >= 0.3) console.log(`${c.slice(0, 43).padEnd(44)}${column(a)}${column(b)}${column(b - a)}`);
}
console.log(`${'total'.padEnd(44)}${column(total(bareMeasured))}${column(total(sbMeasured))}${column(total(sbMeasured) - total(bareMeasured))}`);
console.log(`switchboard/bare proxy: ${(total(sbMeasured) / total(bareMeasured)).toFixed(3)}× main-thread CPU per request`);
console.log(
  `by round: ${bareRuns.rounds.map((b, i) => `${total(b).toFixed(0)} and ${total(sbRuns.rounds[i]!).toFixed(0)} µs (${(total(sbRuns.rounds[i]!) / total(b)).toFixed(2)}×)`).join(', ')}`,
);
console.log(`\nswitchboard's own functions, µs per request (self time, with what V8 inlined into them):`);
for (const [name, micros] of [...sbMeasured.byOwnFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${micros.toFixed(2).padStart(7)}  ${name}`);
process.exit(0);

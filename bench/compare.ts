/**
 * CPU per proxied hub read of this checkout's switchboard against another revision's, both
 * loaded at the same time with half the connections each, so that a change in the machine's
 * speed during a round hits both alike. `bench:hub` rounds differ by more than a few percent
 * from one to the next; a change that saves a few percent shows here, in the median of the
 * rounds' ratios. Comparing a revision with itself (`--base` at the checkout's own commit, with
 * nothing changed) shows what the method cannot tell apart.
 *
 * The other revision is checked out into a temporary git worktree that uses this checkout's
 * node_modules (a revision with other dependencies needs its own `npm ci`), and is removed at
 * the end.
 *
 * What one of switchboard's per-call features costs shows the same way, against the same
 * revision with the feature switched on or off in the checkout's process or instance:
 *  - `--env NAME=VALUE` sets the checkout's environment (`--env SWITCHBOARD_ACCESS_LOG=all`: an
 *    access line for every call, also those with a usage record;
 *    `--env SWITCHBOARD_USAGE_RECORDING=false`: no usage records, and so an access line each);
 *  - `--config KEY=VALUE` sets a configuration key of the checkout's instance
 *    (`--config filter.response.nulls=false`: no null filtering).
 * Each may be given more than once.
 *
 * `--rate N` loads each side with N requests a second (open loop, through autocannon) instead of
 * as fast as it answers.
 *
 * `--runs N` repeats the measurement with servers started afresh each time, the base first in odd
 * runs and the checkout first in even ones, and reports each run's median: a single run can be off
 * by several percent whichever way, mostly against the process started second (`startPair`). The
 * headline figure pairs each odd run with the even one after it, so that each pair holds one run
 * of each start order, and takes the median of the pairs' geometric means (`orderBalanced`); an
 * even N therefore uses every run.
 *
 * `--base bare` measures the checkout against the bare pass-through proxy instead
 * (bench/bare-proxy.ts, reading the same issue from the emulator): the ratio that `bench:hub`
 * reports as "when both are loaded at the same time", in as many rounds as asked for.
 *
 * Run: npm run bench:compare [-- --base HEAD|bare --runs 4 --rounds 6 --seconds 4 --connections 10 --issues 2000 --loadgen wrk|autocannon --rate N --env NAME=VALUE --config KEY=VALUE]
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent } from 'undici';
import { removeBundles } from '../bin/bundle.js';
import { median, numberArg, pairs, percentile, stringArg, stringArgs } from './args.ts';
import { chooseLoadGenerator, load, loadAtRate } from './load.ts';
import { OutsideLoad } from './outside-load.ts';
import { cpuMicros, createInstance, hubAuthorization, type StartedSwitchboard, startNode, startSwitchboard } from './processes.ts';

const base = stringArg('base') ?? 'HEAD';
const rounds = numberArg('rounds', 6);
// Four runs by default: one run alone can be off by several percent (`startPair`).
const runs = numberArg('runs', 4);
const seconds = numberArg('seconds', 4);
const connections = numberArg('connections', 10);
const issues = numberArg('issues', 2000);
const loadgen = chooseLoadGenerator(stringArg('loadgen'));
const rate = numberArg('rate', 0);
// What is switched on or off in the checkout only, as given; the summary line names it.
const envArgs = stringArgs('env');
const configArgs = stringArgs('config');
const checkoutEnv = pairs(envArgs, '--env');
const checkoutConfiguration = pairs(configArgs, '--config');
const settings = [...envArgs, ...configArgs];
const checkoutLabel = settings.length ? `checkout (${settings.join(', ')})` : 'checkout';

const againstBare = base === 'bare';
/** A temporary worktree of the base revision, removed however the run ends, with the bundle its switchboard ran. */
function checkOut(): string {
  const checkout = mkdtempSync(join(tmpdir(), 'sb-bench-compare-'));
  execFileSync('git', ['worktree', 'add', '--detach', checkout, base], { stdio: 'ignore' });
  process.on('exit', () => {
    execFileSync('git', ['worktree', 'remove', '--force', checkout], { stdio: 'ignore' });
    removeBundles({ root: checkout, cacheDir: resolve('node_modules/.cache/switchboard') });
  });
  symlinkSync(resolve('node_modules'), join(checkout, 'node_modules'));
  return checkout;
}
const checkout = againstBare ? undefined : checkOut();
const commit = againstBare ? 'the bare proxy' : execFileSync('git', ['rev-parse', '--short', base], { encoding: 'utf8' }).trim();

const jira = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
const agent = new Agent({ keepAliveTimeout: 30_000 });
const key = `CE-${Math.floor(issues * 0.3)}`;
interface Target {
  child: ChildProcess;
  url: string;
  headers: Record<string, string>;
}
async function target(sb: StartedSwitchboard, configuration: Record<string, string> = {}): Promise<Target> {
  const token = await createInstance(sb, agent, jiraBase, { name: 'compare', configuration });
  return {
    child: sb.child,
    url: `${sb.api}/hubs/helpdesk/incidents/${key}`,
    headers: { authorization: hubAuthorization(sb, token), accept: 'application/json' },
  };
}
/** The bare proxy, reading the issue from the emulator as Jira's own API. */
async function bareTarget(): Promise<Target> {
  const bare = await startNode(['--import', 'tsx', 'bench/bare-proxy.ts', new URL(jiraBase).origin], {}, /bare proxy ready at (\S+)/);
  return {
    child: bare.child,
    url: `${bare.match[1]}/rest/api/2/issue/${key}`,
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`, accept: 'application/json' },
  };
}
/** The two servers under comparison, started for one run: the base (`before`) and the checkout (`after`). */
interface Pair {
  before: Target;
  after: Target;
}
/**
 * Starts both, in the order given. One run's result depends on the processes it started, by more
 * than its rounds vary, and mostly on which started second (`orderBalanced`). Each run (`--runs`)
 * therefore starts its servers afresh, and the runs alternate which starts first.
 */
async function startPair(baseFirst: boolean): Promise<Pair> {
  const startBase = async () => (checkout === undefined ? bareTarget() : target(await startSwitchboard('base', {}, checkout)));
  const startCheckout = async () => target(await startSwitchboard('checkout', checkoutEnv), checkoutConfiguration);
  if (baseFirst) {
    const before = await startBase();
    return { before, after: await startCheckout() };
  }
  const after = await startCheckout();
  return { before: await startBase(), after };
}
const stopPair = async ({ before, after }: Pair) => {
  await Promise.all(
    [before.child, after.child].map(
      (child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve).kill('SIGTERM') : resolve(undefined))),
    ),
  );
};

const outside = new OutsideLoad();
/** Both under load at once; each one's CPU time per request, and a warning when other processes took CPU meanwhile. */
async function round({ before, after }: Pair, warmUp = false) {
  outside.reset();
  const cpu = { before: cpuMicros(before.child.pid!), after: cpuMicros(after.child.pid!) };
  const half = Math.max(1, Math.floor(connections / 2));
  const loaded = (t: Target) => (rate > 0 ? loadAtRate(t.url, t.headers, half, seconds, rate) : load(loadgen, t.url, t.headers, half, seconds));
  const [b, a] = await Promise.all([loaded(before), loaded(after)]);
  if (warmUp) return undefined;
  if (a.errors + b.errors > 0) throw new Error(`errors under load: ${b.errors} at ${commit}, ${a.errors} in the checkout`);
  return {
    before: (cpuMicros(before.child.pid!) - cpu.before) / (b.requestsPerSecond * seconds),
    after: (cpuMicros(after.child.pid!) - cpu.after) / (a.requestsPerSecond * seconds),
    throughput: a.requestsPerSecond / b.requestsPerSecond,
    outside: outside.warning(),
  };
}

/**
 * The geometric mean of each pair of runs that started in opposite orders (runs 1 and 2, 3 and 4,
 * …; an unpaired last run is left out). Which process starts second moves a run's median by
 * several percent, more than most changes to be measured: a revision against itself, with nothing
 * changed, gave runs of 1.069×, 0.930×, 1.051× and 0.947×, the process started second the dearer
 * each time. Within a pair that shift falls on each side once and cancels: the same runs made
 * pairs of 0.997× and 0.998×.
 */
function orderBalanced(medians: readonly number[]): number[] {
  const balanced: number[] = [];
  for (let i = 0; i + 1 < medians.length; i += 2) balanced.push(Math.sqrt(medians[i]! * medians[i + 1]!));
  return balanced;
}
const times = (xs: readonly number[]) => xs.map((x) => `${x.toFixed(3)}×`).join(', ');

const runMedians: number[] = [];
const runThroughputMedians: number[] = [];
const ratios: number[] = [];
const throughputs: number[] = [];
/** The pair of the run under way, stopped at its end or, on a failure, in `finally`. */
let live: Pair | undefined;
try {
  for (let run = 1; run <= runs; run++) {
    const baseFirst = run % 2 === 1;
    const pair = await startPair(baseFirst);
    live = pair;
    if (runs > 1) console.log(`run ${run} of ${runs}: ${baseFirst ? `${commit} started first` : 'the checkout started first'}`);
    // The first seconds under load measure the JIT compiler, not the code.
    await round(pair, true);
    const roundRatios: number[] = [];
    const roundThroughputs: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      const r = (await round(pair))!;
      roundRatios.push(r.after / r.before);
      roundThroughputs.push(r.throughput);
      console.log(
        `  round ${i}: CPU per request ${r.before.toFixed(0)} µs at ${commit}, ${r.after.toFixed(0)} µs in the checkout (${(r.after / r.before).toFixed(3)}×); throughput ${r.throughput.toFixed(3)}×${r.outside}`,
      );
    }
    ratios.push(...roundRatios);
    throughputs.push(...roundThroughputs);
    runMedians.push(median(roundRatios));
    runThroughputMedians.push(median(roundThroughputs));
    live = undefined;
    await stopPair(pair);
  }
  const how = `${rounds} rounds of ${seconds} s, ${connections} connections in all, ${rate > 0 ? `${rate} requests a second each through autocannon` : `load generator ${loadgen}`}`;
  const spread = `middle half of all rounds ${percentile(ratios, 0.25).toFixed(3)}–${percentile(ratios, 0.75).toFixed(3)}`;
  const pairsCpu = orderBalanced(runMedians);
  if (pairsCpu.length === 0) {
    console.log(
      `${checkoutLabel}/${commit}: CPU per request ${median(ratios).toFixed(3)}× (${spread}), throughput ${median(throughputs).toFixed(3)}× (medians of ${how})`,
    );
  } else {
    const pairsThroughput = orderBalanced(runThroughputMedians);
    console.log(`medians of the runs: CPU per request ${times(runMedians)}; throughput ${times(runThroughputMedians)}`);
    console.log(`pairs of runs in both start orders (geometric means): CPU per request ${times(pairsCpu)}; throughput ${times(pairsThroughput)}`);
    console.log(
      `${checkoutLabel}/${commit}: CPU per request ${median(pairsCpu).toFixed(3)}×, throughput ${median(pairsThroughput).toFixed(3)}× (medians of ${pairsCpu.length} pairs of runs in both start orders; ${spread}; runs of ${how})`,
    );
  }
} finally {
  if (live) for (const p of [live.before.child, live.after.child]) p.kill('SIGTERM');
  jira.child.kill('SIGTERM');
  await agent.close();
}

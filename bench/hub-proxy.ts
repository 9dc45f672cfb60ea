/**
 * Proxy overhead of the helpdesk hub, measured side by side in one run, each server in its own
 * process:
 *  - latency: sequential `GET /hubs/helpdesk/incidents/{key}` through switchboard vs the same
 *    `GET /rest/api/2/issue/{key}` straight from the emulator (target: median added < 1 ms);
 *  - throughput: the same read straight from the emulator, through a bare pass-through proxy
 *    (bench/bare-proxy.ts: node:http in, undici keep-alive out, body piped) and through
 *    switchboard, under equal concurrency, in alternating rounds so that a change in the
 *    machine's speed hits all alike, with each server's CPU time per request. The bare proxy is
 *    the baseline: on the same cores it is the limit for anything standing where switchboard
 *    stands (targets: ≥ 0.95 of its throughput, ≤ 1.3× its CPU per request); the CPU ratio is
 *    also measured with both loaded at the same time, half the connections each, which a change
 *    in the machine's speed between rounds cannot move; with the whole machine's CPU per request
 *    beside the bare proxy (the emulator's, the load generator's, the kernel's), it shows what
 *    0.95 of the throughput allows a proxy where the cores are the limit;
 *    beside them, a minimal Fastify proxy (bench/fastify-proxy.ts: one route, the vendor called
 *    through undici's dispatcher as switchboard calls it, the body sent as it came), which shows
 *    the framework's own floor above the bare proxy;
 *  - what the per-call features cost: a third switchboard without usage records, access log lines
 *    (`LOG_LEVEL=warn`) and null filtering (`filter.response.nulls: false`), loaded side by side
 *    with the bare proxy, shows how near the rest of switchboard comes to the baseline;
 *  - usage records: switchboard and a second switchboard that records no usage
 *    (`SWITCHBOARD_USAGE_RECORDING=false`, and `LOG_LEVEL=warn` so that it writes no access line
 *    in the record's place) loaded side by side, at the same time, each with half
 *    the connections, so that the machine's changing speed hits both alike (run one after the
 *    other, rounds differed by more than the 5% to be measured) (target: within 5% of the
 *    throughput without them);
 *  - caching: with a 5 ms Jira, sequential reads that miss and then hit the cache of an instance
 *    with `cachingEnabled` (target: a hit ≥ 5× as fast as a miss), and hits per second under load;
 *  - memory: walking `pageSize=200` pages through every issue, switchboard's RSS sampled.
 * switchboard runs with its default log level, as a user starts it.
 *
 * Run: npm run bench:hub [-- --issues 100000 --seconds 5 --rounds 5 --connections 10 --walk 20000 --loadgen wrk|autocannon]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Agent, request } from 'undici';
import { median, numberArg, stringArg } from './args.ts';
import { chooseLoadGenerator, load, type LoadResult } from './load.ts';
import { OutsideLoad } from './outside-load.ts';
import { cpuMicros, createInstance, hubAuthorization, machineMicros, startNode, startSwitchboard } from './processes.ts';

const issues = numberArg('issues', 100_000);
const seconds = numberArg('seconds', 5);
const rounds = numberArg('rounds', 5);
const connections = numberArg('connections', 10);
const walkLimit = numberArg('walk', 20_000);
const loadgen = chooseLoadGenerator(stringArg('loadgen'));

const jiraPort = 20000 + Math.floor(Math.random() * 20000);
const jira = await startNode(
  ['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', String(jiraPort), '--seed-issues', String(issues)],
  {},
  /ready at (\S+)/,
);
const jiraBase = jira.match[1]!;
const sb = await startSwitchboard('main');
const { api } = sb;
// The same switchboard without usage records: what recording them costs, measured in the same run.
// Without a usage record each call would get an access line instead; `warn` keeps that out, so
// that the two differ in the usage records only.
const quiet = await startSwitchboard('quiet', { SWITCHBOARD_USAGE_RECORDING: 'false', LOG_LEVEL: 'warn' });
const { api: quietApi } = quiet;
// Without usage records and access log lines (and, on its instance below, null filtering): what
// the rest of switchboard costs over the bare proxy.
const lean = await startSwitchboard('lean', { SWITCHBOARD_USAGE_RECORDING: 'false', LOG_LEVEL: 'warn' });
const { api: leanApi } = lean;
const bare = await startNode(['--import', 'tsx', 'bench/bare-proxy.ts', new URL(jiraBase).origin], {}, /bare proxy ready at (\S+)/);
const floor = await startNode(['--import', 'tsx', 'bench/fastify-proxy.ts', new URL(jiraBase).origin], {}, /fastify proxy ready at (\S+)/);
const agent = new Agent({ keepAliveTimeout: 30_000 });
const hubAuth = hubAuthorization(sb, await createInstance(sb, agent, jiraBase, { name: 'bench' }));
// The same reads through an instance with cachingEnabled: each key's first read misses, then hits.
const cachedAuth = hubAuthorization(
  sb,
  await createInstance(sb, agent, jiraBase, { name: 'bench-cached', settings: { cachingEnabled: true, cacheTimeToLive: 3600, maxCacheSize: 100_000 } }),
);
const quietHeaders = {
  authorization: hubAuthorization(quiet, await createInstance(quiet, agent, jiraBase, { name: 'bench-quiet' })),
  accept: 'application/json',
};
const leanHeaders = {
  authorization: hubAuthorization(lean, await createInstance(lean, agent, jiraBase, { name: 'bench-lean', configuration: { 'filter.response.nulls': false } })),
  accept: 'application/json',
};
const jiraAuth = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const key = `CE-${Math.floor(issues * 0.3)}`;
const directUrl = `${jiraBase}/rest/api/2/issue/${key}`;
const proxyUrl = `${api}/hubs/helpdesk/incidents/${key}`;
const quietUrl = `${quietApi}/hubs/helpdesk/incidents/${key}`;
const leanUrl = `${leanApi}/hubs/helpdesk/incidents/${key}`;
const bareUrl = `${bare.match[1]}${new URL(directUrl).pathname}`;
const floorUrl = `${floor.match[1]}${new URL(directUrl).pathname}`;

async function once(url: string, authorization: string, cache?: 'HIT' | 'MISS'): Promise<number> {
  const t = performance.now();
  const res = await request(url, { dispatcher: agent, headers: { authorization, accept: 'application/json' } });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  if (cache && res.headers['elements-cache'] !== cache) throw new Error(`${url}: expected a cache ${cache}, got ${res.headers['elements-cache']}`);
  return performance.now() - t;
}

for (let i = 0; i < 200; i++) {
  await once(directUrl, jiraAuth);
  await once(proxyUrl, hubAuth);
}
const d: number[] = [];
const p: number[] = [];
for (let i = 0; i < 1000; i++) {
  d.push(await once(directUrl, jiraAuth));
  p.push(await once(proxyUrl, hubAuth));
}

const jiraHeaders = { authorization: jiraAuth, accept: 'application/json' };
const hubHeaders = { authorization: hubAuth, accept: 'application/json' };
/** One load run, with each process's CPU time per request during it. */
async function measure(
  url: string,
  headers: Record<string, string>,
): Promise<LoadResult & { cpu: { switchboard: number; bare: number; floor: number; emulator: number; machine: number }; busyShare: number }> {
  const pids = { switchboard: sb.child.pid!, bare: bare.child.pid!, floor: floor.child.pid!, emulator: jira.child.pid! };
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMicros(pid)]));
  const machineBefore = machineMicros();
  const r = await load(loadgen, url, headers, connections, seconds);
  const machineAfter = machineMicros();
  const n = r.requestsPerSecond * seconds;
  const per = (k: keyof typeof pids) => (cpuMicros(pids[k]) - before[k]!) / n;
  const busy = machineAfter.busy - machineBefore.busy;
  return {
    ...r,
    cpu: { switchboard: per('switchboard'), bare: per('bare'), floor: per('floor'), emulator: per('emulator'), machine: busy / n },
    busyShare: busy / (busy + machineAfter.idle - machineBefore.idle),
  };
}
interface Target {
  url: string;
  headers: Record<string, string>;
  pid: number;
}
/**
 * Two servers under load at the same time, half the connections each, with each one's CPU time
 * per request: a change in the machine's speed during the round hits both alike, where rounds run
 * one after the other differ by more than some of the differences measured.
 */
async function sideBySide(a: Target, b: Target) {
  const half = Math.max(1, Math.floor(connections / 2));
  // A server idle since its last run has let V8 shrink its young generation, which takes a second
  // of load to grow again: unmeasured, that second made a server loaded only now and then look
  // far costlier per request than one loaded all along.
  await Promise.all([load(loadgen, a.url, a.headers, half, 1), load(loadgen, b.url, b.headers, half, 1)]);
  const before = { a: cpuMicros(a.pid), b: cpuMicros(b.pid) };
  const [ra, rb] = await Promise.all([load(loadgen, a.url, a.headers, half, seconds), load(loadgen, b.url, b.headers, half, seconds)]);
  return {
    a: { ...ra, cpu: (cpuMicros(a.pid) - before.a) / (ra.requestsPerSecond * seconds) },
    b: { ...rb, cpu: (cpuMicros(b.pid) - before.b) / (rb.requestsPerSecond * seconds) },
  };
}
const switchboardTarget = (): Target => ({ url: proxyUrl, headers: hubHeaders, pid: sb.child.pid! });
async function compare(label: string) {
  const results = [];
  const outside = new OutsideLoad();
  for (let round = 0; round < rounds; round++) {
    outside.reset();
    const direct = await measure(directUrl, jiraHeaders);
    const passed = await measure(bareUrl, jiraHeaders);
    const framework = await measure(floorUrl, jiraHeaders);
    const proxied = await measure(proxyUrl, hubHeaders);
    const usageRun = await sideBySide(switchboardTarget(), { url: quietUrl, headers: quietHeaders, pid: quiet.child.pid! });
    const usage = { recorded: usageRun.a, unrecorded: usageRun.b };
    const withBare = await sideBySide(switchboardTarget(), { url: bareUrl, headers: jiraHeaders, pid: bare.child.pid! });
    const leanWithBare = await sideBySide(
      { url: leanUrl, headers: leanHeaders, pid: lean.child.pid! },
      { url: bareUrl, headers: jiraHeaders, pid: bare.child.pid! },
    );
    const rest = passed.cpu.machine - passed.cpu.bare;
    const result = {
      ratio: proxied.requestsPerSecond / direct.requestsPerSecond,
      ratioToBare: proxied.requestsPerSecond / passed.requestsPerSecond,
      cpuToBare: proxied.cpu.switchboard / passed.cpu.bare,
      floorToBare: framework.requestsPerSecond / passed.requestsPerSecond,
      floorCpuToBare: framework.cpu.floor / passed.cpu.bare,
      usageThroughput: usage.recorded.requestsPerSecond / usage.unrecorded.requestsPerSecond,
      usageCpu: usage.recorded.cpu / usage.unrecorded.cpu,
      sideBySideCpuToBare: withBare.a.cpu / withBare.b.cpu,
      sideBySideThroughputToBare: withBare.a.requestsPerSecond / withBare.b.requestsPerSecond,
      leanCpuToBare: leanWithBare.a.cpu / leanWithBare.b.cpu,
      // Where the cores are the limit, a proxy's throughput follows the CPU the whole machine
      // spends per request: the proxy's own and the rest (emulator, load generator, kernel).
      // Reaching 0.95 of the bare proxy's throughput then allows the proxy this much CPU per
      // request, as a multiple of the bare proxy's.
      cpuFor95: ((rest + passed.cpu.bare) / 0.95 - rest) / passed.cpu.bare,
      restToBare: rest / passed.cpu.bare,
      bareBusy: passed.busyShare,
      switchboardBusy: proxied.busyShare,
    };
    results.push(result);
    console.log(
      `  ${label} round ${round + 1}: direct ${direct.requestsPerSecond.toFixed(0)} req/s (p50 ${direct.p50Ms.toFixed(2)} ms), bare proxy ${passed.requestsPerSecond.toFixed(0)} req/s (p50 ${passed.p50Ms.toFixed(2)} ms), minimal Fastify proxy ${framework.requestsPerSecond.toFixed(0)} req/s, switchboard ${proxied.requestsPerSecond.toFixed(0)} req/s (p50 ${proxied.p50Ms.toFixed(2)} ms); CPU per proxied request: bare proxy ${passed.cpu.bare.toFixed(0)} µs, minimal Fastify proxy ${framework.cpu.floor.toFixed(0)} µs, switchboard ${proxied.cpu.switchboard.toFixed(0)} µs, emulator ${proxied.cpu.emulator.toFixed(0)} µs, whole machine ${passed.cpu.machine.toFixed(0)} µs with the bare proxy and ${proxied.cpu.machine.toFixed(0)} µs with switchboard (cores busy ${(100 * passed.busyShare).toFixed(0)}% and ${(100 * proxied.busyShare).toFixed(0)}%); side by side: with usage records ${usage.recorded.requestsPerSecond.toFixed(0)} req/s (${usage.recorded.cpu.toFixed(0)} µs CPU each), without ${usage.unrecorded.requestsPerSecond.toFixed(0)} req/s (${usage.unrecorded.cpu.toFixed(0)} µs); side by side with the bare proxy: switchboard ${withBare.a.requestsPerSecond.toFixed(0)} req/s (${withBare.a.cpu.toFixed(0)} µs CPU each), bare proxy ${withBare.b.requestsPerSecond.toFixed(0)} req/s (${withBare.b.cpu.toFixed(0)} µs); switchboard without its per-call features ${leanWithBare.a.cpu.toFixed(0)} µs, bare proxy ${leanWithBare.b.cpu.toFixed(0)} µs; errors ${direct.errors + passed.errors + proxied.errors + usage.recorded.errors + usage.unrecorded.errors + withBare.a.errors + withBare.b.errors + leanWithBare.a.errors + leanWithBare.b.errors}${outside.warning()}`,
    );
  }
  return results;
}
/** Below this share of the machine's time busy, the cores are not what limits the throughput. */
const CORES_THE_LIMIT = 0.75;
/** What the throughput target allows a proxy's CPU per request, where the cores are the limit. */
function coresLimit(results: Awaited<ReturnType<typeof compare>>): string {
  const busy = median(results.map((r) => r.bareBusy));
  const busyText = `cores busy ${(100 * busy).toFixed(0)}% of the time with the bare proxy, ${(100 * median(results.map((r) => r.switchboardBusy))).toFixed(0)}% with switchboard`;
  if (busy < CORES_THE_LIMIT) return `${busyText}: the cores are not the limit`;
  return `${busyText}, the limit: beside the bare proxy the rest of the machine (emulator, load generator, kernel) spends ${median(results.map((r) => r.restToBare)).toFixed(2)}× its CPU per request, so that 0.95 of its throughput allows a proxy ${median(results.map((r) => r.cpuFor95)).toFixed(2)}× its CPU per request`;
}
const summary = (label: string, results: Awaited<ReturnType<typeof compare>>) => {
  const m = (k: keyof (typeof results)[number]) => median(results.map((r) => r[k])).toFixed(2);
  console.log(
    `${label}: switchboard/bare proxy throughput ${m('ratioToBare')} (target ≥ 0.95), CPU per request ${m('cpuToBare')}× the bare proxy's (target ≤ 1.3), ${m('sideBySideCpuToBare')}× when both are loaded at the same time, at ${m('sideBySideThroughputToBare')} of its throughput (${m('leanCpuToBare')}× without usage records, access log lines and null filtering); ${coresLimit(results)}; the minimal Fastify proxy (the framework's floor): throughput ${m('floorToBare')}, CPU per request ${m('floorCpuToBare')}×; switchboard/direct throughput ${m('ratio')}; with/without usage records side by side: throughput ${m('usageThroughput')} (target ≥ 0.95), CPU per request ${m('usageCpu')}× (medians of ${rounds} rounds)`,
  );
};

// Warm every path under load first, so that the first round does not measure the JIT compiler.
await load(loadgen, directUrl, jiraHeaders, connections, 2);
await load(loadgen, bareUrl, jiraHeaders, connections, 2);
await load(loadgen, floorUrl, jiraHeaders, connections, 2);
await load(loadgen, proxyUrl, hubHeaders, connections, 2);
await load(loadgen, quietUrl, quietHeaders, connections, 2);
await load(loadgen, leanUrl, leanHeaders, connections, 2);

console.log(
  `emulator: ${issues} issues; load generator ${loadgen}, ${connections} connections, ${rounds} rounds of ${seconds} s each; switchboard and the emulator in separate processes, all sharing ${cpus().length} cores`,
);
console.log(
  `latency, sequential: direct median ${median(d).toFixed(3)} ms, through switchboard ${median(p).toFixed(3)} ms → added ${(median(p) - median(d)).toFixed(3)} ms (target < 1 ms)`,
);
summary('zero-latency Jira', await compare('zero-latency Jira'));
// A real Jira answers in milliseconds, not microseconds: the same runs with 5 ms added per answer.
const setLatency = (ms: number) =>
  request(`${new URL(jiraBase).origin}/__emulator/config`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latencyMs: ms }),
  }).then((r) => r.body.text());
await setLatency(5);
summary('5 ms Jira latency', await compare('5 ms Jira latency'));

// cachingEnabled against the 5 ms Jira: sequential misses and hits of the same keys, then
// throughput of hits against that of uncached reads.
const misses: number[] = [];
const hits: number[] = [];
for (let i = 1; i <= 300; i++) {
  const url = `${api}/hubs/helpdesk/incidents/CE-${i}`;
  misses.push(await once(url, cachedAuth, 'MISS'));
  hits.push(await once(url, cachedAuth, 'HIT'));
}
const cachedUrl = `${api}/hubs/helpdesk/incidents/${key}`;
await once(cachedUrl, cachedAuth);
const hitLoad = await measure(cachedUrl, { authorization: cachedAuth, accept: 'application/json' });
const missLoad = await measure(proxyUrl, hubHeaders);
console.log(
  `caching, 5 ms Jira latency: sequential miss median ${median(misses).toFixed(3)} ms, hit ${median(hits).toFixed(3)} ms → a hit is ${(median(misses) / median(hits)).toFixed(1)}× as fast (target ≥ 5); under load ${hitLoad.requestsPerSecond.toFixed(0)} hits/s vs ${missLoad.requestsPerSecond.toFixed(0)} uncached reads/s (${(hitLoad.requestsPerSecond / missLoad.requestsPerSecond).toFixed(1)}×), CPU per hit ${hitLoad.cpu.switchboard.toFixed(0)} µs vs ${missLoad.cpu.switchboard.toFixed(0)} µs`,
);
await setLatency(0);

// Memory while walking pageSize=200 pages with nextPage.
const rss = () => Number(readFileSync(`/proc/${sb.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const rssStart = rss();
let rssMax = rssStart;
let walked = 0;
let token: string | undefined;
const walkStart = performance.now();
do {
  const res = await request(`${api}/hubs/helpdesk/incidents?pageSize=200&fields=summary,updated${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`, {
    dispatcher: agent,
    headers: { authorization: hubAuth },
  });
  walked += ((await res.body.json()) as unknown[]).length;
  token = res.headers['elements-next-page-token'] as string | undefined;
  rssMax = Math.max(rssMax, rss());
} while (token && walked < walkLimit);
const walkMs = performance.now() - walkStart;

console.log(
  `paging: ${walked} issues in pages of 200 in ${(walkMs / 1000).toFixed(1)} s; switchboard RSS ${rssStart.toFixed(0)} → max ${rssMax.toFixed(0)} MiB`,
);

sb.child.kill('SIGTERM');
quiet.child.kill('SIGTERM');
lean.child.kill('SIGTERM');
bare.child.kill('SIGTERM');
floor.child.kill('SIGTERM');
jira.child.kill('SIGTERM');
await agent.close();

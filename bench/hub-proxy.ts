/**
 * Proxy overhead of the helpdesk hub (issue #5) and the emulator headroom (issue #3), measured
 * side by side in one run, each server in its own process:
 *  - latency: sequential `GET /hubs/helpdesk/incidents/{key}` through switchboard vs the same
 *    `GET /rest/api/2/issue/{key}` straight from the emulator (target: median added < 1 ms);
 *  - throughput: the same two reads under equal concurrency, in alternating rounds so that a
 *    change in the machine's speed hits both alike (target: proxied ≥ 70% of direct), with each
 *    server's CPU time per request;
 *  - memory: walking `pageSize=200` pages through every issue, switchboard's RSS sampled.
 * switchboard runs with its default log level, as a user starts it.
 *
 * Run: npm run bench:hub [-- --issues 100000 --seconds 5 --rounds 5 --connections 10 --walk 20000 --loadgen wrk|autocannon]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { median, numberArg, stringArg } from './args.ts';
import { chooseLoadGenerator, load, type LoadResult } from './load.ts';

const issues = numberArg('issues', 100_000);
const seconds = numberArg('seconds', 5);
const rounds = numberArg('rounds', 5);
const connections = numberArg('connections', 10);
const walkLimit = numberArg('walk', 20_000);
const loadgen = chooseLoadGenerator(stringArg('loadgen'));

function start(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Everything is read (a full pipe would stall the server); only the start-up is kept.
    let out: string | undefined = '';
    const on = (d: Buffer) => {
      if (out === undefined) return;
      out += d;
      const m = out.match(ready);
      if (m) { out = undefined; resolve({ child, match: m }); }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

/** User + system CPU time of a process so far, in microseconds. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
}

const jiraPort = 20000 + Math.floor(Math.random() * 20000);
const jira = await start(process.execPath, ['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', String(jiraPort), '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-hub-'));
const sb = await start(process.execPath, ['bin/switchboard.js', 'serve'], { SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }) }, /listening on (\S+)/);
const api = sb.match[1]!;
const secrets = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
const agent = new Agent({ keepAliveTimeout: 30_000 });
const created = await request(`${api}/instances`, {
  method: 'POST', dispatcher: agent,
  headers: { authorization: `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`, 'content-type': 'application/json' },
  body: JSON.stringify({ element: { key: 'jiraonprem' }, name: 'bench', configuration: { username: 'admin', password: 'admin', siteAddress: jiraBase } }),
});
const instance = await created.body.json() as { token: string };
const hubAuth = `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}, Element ${instance.token}`;
const jiraAuth = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const key = `CE-${Math.floor(issues * 0.3)}`;
const directUrl = `${jiraBase}/rest/api/2/issue/${key}`;
const proxyUrl = `${api}/hubs/helpdesk/incidents/${key}`;

async function once(url: string, authorization: string): Promise<number> {
  const t = performance.now();
  const res = await request(url, { dispatcher: agent, headers: { authorization, accept: 'application/json' } });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return performance.now() - t;
}

for (let i = 0; i < 200; i++) { await once(directUrl, jiraAuth); await once(proxyUrl, hubAuth); }
const d: number[] = [];
const p: number[] = [];
for (let i = 0; i < 1000; i++) { d.push(await once(directUrl, jiraAuth)); p.push(await once(proxyUrl, hubAuth)); }

const jiraHeaders = { authorization: jiraAuth, accept: 'application/json' };
const hubHeaders = { authorization: hubAuth, accept: 'application/json' };
/** One load run, with each server's CPU time per request during it. */
async function measure(url: string, headers: Record<string, string>): Promise<LoadResult & { cpu: { switchboard: number; emulator: number } }> {
  const before = { sb: cpuMicros(sb.child.pid!), jira: cpuMicros(jira.child.pid!) };
  const r = await load(loadgen, url, headers, connections, seconds);
  const n = r.requestsPerSecond * seconds;
  return { ...r, cpu: { switchboard: (cpuMicros(sb.child.pid!) - before.sb) / n, emulator: (cpuMicros(jira.child.pid!) - before.jira) / n } };
}
async function compare(label: string) {
  const results = [];
  for (let round = 0; round < rounds; round++) {
    const direct = await measure(directUrl, jiraHeaders);
    const proxied = await measure(proxyUrl, hubHeaders);
    results.push({ direct, proxied, ratio: proxied.requestsPerSecond / direct.requestsPerSecond });
    console.log(`  ${label} round ${round + 1}: direct ${direct.requestsPerSecond.toFixed(0)} req/s (p50 ${direct.p50Ms.toFixed(2)} ms), through switchboard ${proxied.requestsPerSecond.toFixed(0)} req/s (p50 ${proxied.p50Ms.toFixed(2)} ms) → ratio ${(proxied.requestsPerSecond / direct.requestsPerSecond).toFixed(2)}; CPU per proxied request: switchboard ${proxied.cpu.switchboard.toFixed(0)} µs, emulator ${proxied.cpu.emulator.toFixed(0)} µs (direct: emulator ${direct.cpu.emulator.toFixed(0)} µs); errors ${direct.errors + proxied.errors}`);
  }
  return results;
}

// Warm both paths under load first, so that the first round does not measure the JIT compiler.
await load(loadgen, directUrl, jiraHeaders, connections, 2);
await load(loadgen, proxyUrl, hubHeaders, connections, 2);

console.log(`emulator: ${issues} issues; load generator ${loadgen}, ${connections} connections, ${rounds} rounds of ${seconds} s each; switchboard and the emulator in separate processes, all sharing ${cpus().length} cores`);
console.log(`latency, sequential: direct median ${median(d).toFixed(3)} ms, through switchboard ${median(p).toFixed(3)} ms → added ${(median(p) - median(d)).toFixed(3)} ms (target < 1 ms)`);
const fast = await compare('zero-latency Jira');
const fastRatio = median(fast.map((r) => r.ratio));
console.log(`ratio switchboard/direct throughput: ${fastRatio.toFixed(2)} (median of ${rounds} rounds; target ≥ 0.70)`);
console.log(`emulator serves reads ${(1 / fastRatio).toFixed(2)}x as fast as switchboard proxies them`);
// A real Jira answers in milliseconds, not microseconds: the same runs with 5 ms added per answer.
const setLatency = (ms: number) => request(`${new URL(jiraBase).origin}/__emulator/config`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: ms }) }).then((r) => r.body.text());
await setLatency(5);
const slow = await compare('5 ms Jira latency');
console.log(`with 5 ms Jira latency: ratio ${median(slow.map((r) => r.ratio)).toFixed(2)} (median of ${rounds} rounds; target ≥ 0.70)`);
await setLatency(0);

// Memory while walking pageSize=200 pages with nextPage.
const rss = () => Number(readFileSync(`/proc/${sb.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const rssStart = rss();
let rssMax = rssStart;
let walked = 0;
let token: string | undefined;
const walkStart = performance.now();
do {
  const res = await request(`${api}/hubs/helpdesk/incidents?pageSize=200&fields=summary,updated${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`, { dispatcher: agent, headers: { authorization: hubAuth } });
  walked += (await res.body.json() as unknown[]).length;
  token = res.headers['elements-next-page-token'] as string | undefined;
  rssMax = Math.max(rssMax, rss());
} while (token && walked < walkLimit);
const walkMs = performance.now() - walkStart;

console.log(`paging: ${walked} issues in pages of 200 in ${(walkMs / 1000).toFixed(1)} s; switchboard RSS ${rssStart.toFixed(0)} → max ${rssMax.toFixed(0)} MiB`);

sb.child.kill('SIGTERM');
jira.child.kill('SIGTERM');
await agent.close();

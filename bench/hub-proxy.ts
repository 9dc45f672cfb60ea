/**
 * Proxy overhead of the helpdesk hub (issue #5) and the emulator headroom (issue #3), measured
 * side by side in one run, each server in its own process:
 *  - latency: sequential `GET /hubs/helpdesk/incidents/{key}` through switchboard vs the same
 *    `GET /rest/api/2/issue/{key}` straight from the emulator (target: median added < 1 ms);
 *  - throughput: the same two reads under equal concurrency with autocannon (target: proxied
 *    ≥ 70% of direct), which also shows the emulator serving reads faster than switchboard can
 *    proxy them;
 *  - memory: walking `pageSize=200` pages through every issue, switchboard's RSS sampled.
 *
 * Run: npm run bench:hub [-- --issues 100000 --seconds 5 --connections 10 --walk 20000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { median, numberArg } from './args.ts';

const issues = numberArg('issues', 100_000);
const seconds = numberArg('seconds', 5);
const connections = numberArg('connections', 10);
const walkLimit = numberArg('walk', 20_000);

function start(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (d: Buffer) => { out += d; const m = out.match(ready); if (m) resolve({ child, match: m }); };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

const jiraPort = 20000 + Math.floor(Math.random() * 20000);
const jira = await start(process.execPath, ['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', String(jiraPort), '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-hub-'));
const sb = await start(process.execPath, ['bin/switchboard.js', 'serve'], { SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }) }, /listening on (\S+)/);
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

const load = (url: string, authorization: string) => new Promise<autocannon.Result>((resolve, reject) =>
  autocannon({ url, connections, duration: seconds, headers: { authorization, accept: 'application/json' } }, (err, r) => (err ? reject(err) : resolve(r))));
const direct = await load(directUrl, jiraAuth);
const proxied = await load(proxyUrl, hubAuth);
// A real Jira answers in milliseconds, not microseconds: the same runs with 5 ms added per answer.
const setLatency = (ms: number) => request(`${new URL(jiraBase).origin}/__emulator/config`, { method: 'PUT', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: ms }) }).then((r) => r.body.text());
await setLatency(5);
const directSlow = await load(directUrl, jiraAuth);
const proxiedSlow = await load(proxyUrl, hubAuth);
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

console.log(`emulator: ${issues} issues; ${connections} connections, ${seconds} s per load run; servers in separate processes`);
console.log(`latency, sequential: direct median ${median(d).toFixed(3)} ms, through switchboard ${median(p).toFixed(3)} ms → added ${(median(p) - median(d)).toFixed(3)} ms (target < 1 ms)`);
console.log(`throughput: direct ${direct.requests.average.toFixed(0)} req/s (p50 ${direct.latency.p50} ms), through switchboard ${proxied.requests.average.toFixed(0)} req/s (p50 ${proxied.latency.p50} ms)`);
console.log(`ratio switchboard/direct throughput: ${(proxied.requests.average / direct.requests.average).toFixed(2)} (target ≥ 0.70); errors ${proxied.errors + proxied.non2xx}`);
console.log(`emulator serves reads ${(direct.requests.average / proxied.requests.average).toFixed(2)}x as fast as switchboard proxies them (all three processes share ${(await import('node:os')).cpus().length} cores)`);
console.log(`with 5 ms Jira latency: direct ${directSlow.requests.average.toFixed(0)} req/s, through switchboard ${proxiedSlow.requests.average.toFixed(0)} req/s → ratio ${(proxiedSlow.requests.average / directSlow.requests.average).toFixed(2)} (target ≥ 0.70)`);
console.log(`paging: ${walked} issues in pages of 200 in ${(walkMs / 1000).toFixed(1)} s; switchboard RSS ${rssStart.toFixed(0)} → max ${rssMax.toFixed(0)} MiB`);

sb.child.kill('SIGTERM');
jira.child.kill('SIGTERM');
await agent.close();

/**
 * Emulator read throughput with a large seed (issue #3): how fast the emulator serves
 * `GET /rest/api/2/issue/{key}` with 100,000 seeded issues, as a ratio against a baseline
 * measured in the same run: a bare node:http server answering the same bytes. The emulator must
 * never be the bottleneck when switchboard's proxy overhead is measured.
 *
 * Run: npm run bench:emulator [-- --issues 100000 --seconds 5 --connections 10]
 */
import { createServer } from 'node:http';
import autocannon from 'autocannon';
import { startJiraEmulator } from '../emulators/jira-server/index.ts';
import { numberArg } from './args.ts';

const issues = numberArg('issues', 100_000);
const seconds = numberArg('seconds', 5);
const connections = numberArg('connections', 10);
const auth = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

function run(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const heapBefore = process.memoryUsage().rss;
const t0 = performance.now();
const emulator = await startJiraEmulator({ seedIssues: issues });
const seedMs = performance.now() - t0;
global.gc?.();
const rssAfterSeed = process.memoryUsage().rss;

const key = `CE-${Math.floor(issues * 0.3)}`;
const sample = await fetch(`${emulator.baseUrl}/rest/api/2/issue/${key}`, { headers: { authorization: auth } });
const bytes = Buffer.from(await sample.arrayBuffer());
if (sample.status !== 200) throw new Error(`sample read failed: ${sample.status}`);

const baseline = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(bytes);
});
await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as { port: number }).port}/`;

const base = await run(baselineUrl, {});
const emu = await run(`${emulator.baseUrl}/rest/api/2/issue/${key}`, { authorization: auth });
const search = await run(
  `${emulator.baseUrl}/rest/api/2/search?jql=${encodeURIComponent('project = CE AND updated >= -7d ORDER BY updated ASC, key ASC')}&maxResults=50&fields=summary,updated`,
  { authorization: auth },
);

const line = (name: string, r: autocannon.Result) =>
  `${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   errors ${r.errors + r.non2xx}`;
console.log(`seed: ${issues} issues in ${(seedMs / 1000).toFixed(1)} s; RSS ${(heapBefore / 2 ** 20).toFixed(0)} → ${(rssAfterSeed / 2 ** 20).toFixed(0)} MiB`);
console.log(`connections ${connections}, ${seconds} s each, issue body ${bytes.length} bytes`);
console.log(line('baseline (static bytes)', base));
console.log(line('emulator GET issue', emu));
console.log(line('emulator JQL search (50)', search));
console.log(`ratio emulator/baseline (issue read): ${(emu.requests.average / base.requests.average).toFixed(2)}`);
console.log(`RSS at end: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

baseline.close();
await emulator.close();

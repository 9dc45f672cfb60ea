/**
 * Bulk export against the emulator, each server in its own process, measured in one run:
 *  - throughput: an export of every issue through switchboard against a direct walk of Jira's
 *    `/search` with the same page size (100) and order (target: ≥ 0.8 of the direct walk);
 *  - memory: switchboard's RSS sampled during the export (target: grows by less than 50 MiB);
 *  - the hub during an export: the median of sequential `GET /hubs/helpdesk/incidents/{key}` of
 *    another instance (on a Jira of its own) while idle and while the export runs (target: grows
 *    by less than 20%).
 *
 * Run: npm run bench:bulk [-- --issues 100000]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { median, numberArg } from './args.ts';
import { startNode } from './processes.ts';

const issues = numberArg('issues', 100_000);
const PAGE = 100;

const jira = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
// The hub's reads go to a Jira of their own: a real Jira serves requests in parallel, the emulator
// one at a time, so reads from the exporting Jira would measure the emulator's queue, not switchboard.
const other = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', '200'], {}, /ready at (\S+)/);
const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-bulk-'));
const sb = await startNode(
  ['bin/switchboard.js', 'serve'],
  { SWITCHBOARD_DATA_DIR: dataDir, PORT: '0', ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }) },
  /listening on (\S+)/,
);
const api = sb.match[1]!;
const secrets = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));
const agent = new Agent({ keepAliveTimeout: 30_000 });
const json = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
  const res = await request(url, { dispatcher: agent, ...init, method: (init.method ?? 'GET') as 'GET' });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text);
};
const orgAuth = `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`;
const instance = await json(`${api}/instances`, {
  method: 'POST',
  headers: { authorization: orgAuth, 'content-type': 'application/json' },
  body: JSON.stringify({ element: { key: 'jiraonprem' }, name: 'bench-bulk', configuration: { username: 'admin', password: 'admin', siteAddress: jiraBase } }),
});
const hubAuth = `${orgAuth}, Element ${instance.token}`;
const reader = await json(`${api}/instances`, {
  method: 'POST',
  headers: { authorization: orgAuth, 'content-type': 'application/json' },
  body: JSON.stringify({
    element: { key: 'jiraonprem' },
    name: 'bench-reader',
    configuration: { username: 'admin', password: 'admin', siteAddress: other.match[1]! },
  }),
});
const readerAuth = `${orgAuth}, Element ${reader.token}`;
const jiraAuth = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

// The direct walk: what a client of Jira itself does, page after page, in the same order.
const directStart = performance.now();
let walked = 0;
for (let startAt = 0; ; startAt += PAGE) {
  const page = await json(`${jiraBase}/rest/api/2/search`, {
    method: 'POST',
    headers: { authorization: jiraAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ jql: 'ORDER BY created ASC, key ASC', startAt, maxResults: PAGE }),
  });
  walked += page.issues.length;
  if (page.issues.length < PAGE) break;
}
const directMs = performance.now() - directStart;

const rss = () => Number(readFileSync(`/proc/${sb.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
const readOne = async () => {
  const t = performance.now();
  await json(`${api}/hubs/helpdesk/incidents/CE-100`, { headers: { authorization: readerAuth } });
  return performance.now() - t;
};
const idle: number[] = [];
for (let i = 0; i < 50; i++) await readOne();
for (let i = 0; i < 200; i++) idle.push(await readOne());

const rssStart = rss();
let rssMax = rssStart;
const exportStart = performance.now();
const job = await json(`${api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select * from incidents')}`, {
  method: 'POST',
  headers: { authorization: hubAuth },
});
const during: number[] = [];
let status: { status: string; recordsCount: number };
for (;;) {
  status = await json(`${api}/hubs/helpdesk/bulk/${job.id}/status`, { headers: { authorization: hubAuth } });
  rssMax = Math.max(rssMax, rss());
  if (!['CREATED', 'RUNNING'].includes(status.status)) break;
  for (let i = 0; i < 10; i++) during.push(await readOne());
}
const exportMs = performance.now() - exportStart;
if (status.status !== 'COMPLETED' || status.recordsCount !== walked)
  throw new Error(`export ended ${status.status} with ${status.recordsCount} of ${walked} records`);

console.log(`emulator: ${issues} issues; pages of ${PAGE}; switchboard and the emulator in separate processes`);
console.log(
  `export: direct walk ${(directMs / 1000).toFixed(1)} s (${((walked / directMs) * 1000).toFixed(0)} issues/s), bulk export ${(exportMs / 1000).toFixed(1)} s (${((walked / exportMs) * 1000).toFixed(0)} issues/s) → ratio ${(directMs / exportMs).toFixed(2)} (target ≥ 0.8)`,
);
console.log(
  `memory: switchboard RSS ${rssStart.toFixed(0)} → max ${rssMax.toFixed(0)} MiB during the export (+${(rssMax - rssStart).toFixed(0)} MiB, target < 50)`,
);
console.log(
  `hub during the export: GET incident median ${median(idle).toFixed(2)} ms idle, ${median(during).toFixed(2)} ms during (${((median(during) / median(idle) - 1) * 100).toFixed(0)}%, target < 20%)`,
);

sb.child.kill('SIGTERM');
jira.child.kill('SIGTERM');
other.child.kill('SIGTERM');
await agent.close();

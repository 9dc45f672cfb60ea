/**
 * Bulk export and import against the emulator, each server in its own process, measured in one run:
 *  - throughput: an export of every issue through switchboard against a direct walk of Jira's
 *    `/search` with the same page size (100) and order (target: ≥ 0.8 of the direct walk);
 *  - memory: switchboard's RSS sampled during the export (target: grows by less than 50 MiB), and,
 *    for reference, during 15 s of hub reads (4 at a time) before it, without an export;
 *  - the hub during an export: the median of `GET /hubs/helpdesk/incidents/{key}` of another
 *    instance (on a Jira of its own), one every 20 ms, while idle and while a second export runs
 *    (target: grows by less than 20%);
 *  - import: `--rows` new issues uploaded as NDJSON and written by switchboard, from the upload to
 *    the job's end, against the same creates sent straight to Jira's `POST /rest/api/2/issue` at
 *    the import's concurrency (4) (target: ≥ 0.8 of the direct creates).
 *
 * Run: npm run bench:bulk [-- --issues 100000 --rows 10000]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { median, numberArg } from './args.ts';
import { benchDataDir, startNode, SWITCHBOARD_SERVE } from './processes.ts';

const issues = numberArg('issues', 100_000);
const rows = numberArg('rows', 10_000);
const PAGE = 100;
const IMPORT_CONCURRENCY = 4;

const jira = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', String(issues)], {}, /ready at (\S+)/);
const jiraBase = jira.match[1]!;
// The hub's reads go to a Jira of their own: a real Jira serves requests in parallel, the emulator
// one at a time, so reads from the exporting Jira would measure the emulator's queue, not switchboard.
const other = await startNode(['--import', 'tsx', 'emulators/jira-server/cli.ts', '--port', '0', '--seed-issues', '200'], {}, /ready at (\S+)/);
const dataDir = benchDataDir('bulk');
const sb = await startNode(
  SWITCHBOARD_SERVE,
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
// Latency probes: one read every PROBE_GAP_MS, as a hub user's calls come beside a running
// export, the same way while idle and during an export.
const PROBE_GAP_MS = 20;
const probe = async (samples: number[], until: () => boolean) => {
  while (!until()) {
    samples.push(await readOne());
    await new Promise((r) => setTimeout(r, PROBE_GAP_MS));
  }
};
for (let i = 0; i < 50; i++) await readOne();
const idle: number[] = [];
await probe(idle, () => idle.length >= 200);

/** Runs an export of every issue to its end; samples RSS meanwhile, and `during` is called while it runs. */
async function exportAll(during?: (running: () => boolean) => Promise<void>) {
  const start = performance.now();
  const job = await json(`${api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select * from incidents')}`, {
    method: 'POST',
    headers: { authorization: hubAuth },
  });
  let status: { status: string; recordsCount: number } = { status: 'CREATED', recordsCount: 0 };
  const running = () => ['CREATED', 'RUNNING'].includes(status.status);
  let rssMax = 0;
  const side = during?.(running);
  while (running()) {
    await new Promise((r) => setTimeout(r, 100));
    status = await json(`${api}/hubs/helpdesk/bulk/${job.id}/status`, { headers: { authorization: hubAuth } });
    rssMax = Math.max(rssMax, rss());
  }
  await side;
  const ms = performance.now() - start;
  if (status.status !== 'COMPLETED' || status.recordsCount !== walked)
    throw new Error(`export ended ${status.status} with ${status.recordsCount} of ${walked} records`);
  return { ms, rssMax };
}

/**
 * For reference, what the same process needs without any export: hub reads 4 at a time for
 * `ms`, with the highest RSS seen. A process that sat idle has had its heap shrunk by V8, and any
 * busy spell grows it back to its working size; the export's growth includes that part.
 */
async function busyReads(ms: number): Promise<number> {
  const until = performance.now() + ms;
  let max = 0;
  const sampler = setInterval(() => (max = Math.max(max, rss())), 100);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) await readOne();
    }),
  );
  clearInterval(sampler);
  return max;
}

// The export alone, for its speed and memory; then another with the probes beside it.
const rssStart = rss();
const rssBusy = await busyReads(15_000);
const { ms: exportMs, rssMax } = await exportAll();
const during: number[] = [];
const { rssMax: rssMaxAgain } = await exportAll((running) => probe(during, () => !running()));

console.log(`emulator: ${issues} issues; pages of ${PAGE}; switchboard and the emulator in separate processes`);
console.log(
  `export: direct walk ${(directMs / 1000).toFixed(1)} s (${((walked / directMs) * 1000).toFixed(0)} issues/s), bulk export ${(exportMs / 1000).toFixed(1)} s (${((walked / exportMs) * 1000).toFixed(0)} issues/s) → ratio ${(directMs / exportMs).toFixed(2)} (target ≥ 0.8)`,
);
console.log(
  `memory: switchboard RSS ${rssStart.toFixed(0)} → max ${rssMax.toFixed(0)} MiB during the export (+${(rssMax - rssStart).toFixed(0)} MiB, target < 50); for reference, max ${rssBusy.toFixed(0)} MiB (+${(rssBusy - rssStart).toFixed(0)} MiB) serving hub reads 4 at a time for 15 s before it, without an export; max ${rssMaxAgain.toFixed(0)} MiB during a second export of the same ${walked} records (${rssMaxAgain >= rssMax ? '+' : ''}${(rssMaxAgain - rssMax).toFixed(0)} MiB: what an export leaves behind would add up here)`,
);
console.log(
  `hub during an export: GET incident (one every ${PROBE_GAP_MS} ms) median ${median(idle).toFixed(2)} ms idle, ${median(during).toFixed(2)} ms during (${((median(during) / median(idle) - 1) * 100).toFixed(0)}%, target < 20%)`,
);

// Import: the same new issues straight to Jira (4 at a time), then through a bulk import.
const issueOf = (i: number, run: string) => ({
  fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: `bench ${run} ${i}`, labels: ['bench'] },
});
const directImportStart = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: IMPORT_CONCURRENCY }, async () => {
    while (next < rows) {
      const i = next++;
      await json(`${jiraBase}/rest/api/2/issue`, {
        method: 'POST',
        headers: { authorization: jiraAuth, 'content-type': 'application/json' },
        body: JSON.stringify(issueOf(i, 'direct')),
      });
    }
  }),
);
const directImportMs = performance.now() - directImportStart;
const ndjson = Array.from({ length: rows }, (_, i) => JSON.stringify(issueOf(i, 'bulk'))).join('\n');
const form = new FormData();
form.append('file', new Blob([ndjson], { type: 'application/x-ndjson' }), 'bench.ndjson');
const importStart = performance.now();
const upload = await fetch(`${api}/hubs/helpdesk/bulk/incidents`, { method: 'POST', headers: { authorization: hubAuth }, body: form });
if (upload.status !== 200) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
const importJob = (await upload.json()) as { id: string };
let imported: { status: string; recordsCount: number; recordsFailedCount: number };
for (;;) {
  imported = await json(`${api}/hubs/helpdesk/bulk/${importJob.id}/status`, { headers: { authorization: hubAuth } });
  if (!['CREATED', 'RUNNING'].includes(imported.status)) break;
  await new Promise((r) => setTimeout(r, 100));
}
const importMs = performance.now() - importStart;
if (imported.status !== 'COMPLETED' || imported.recordsCount !== rows)
  throw new Error(`import ended ${imported.status} with ${imported.recordsCount} of ${rows} rows (${imported.recordsFailedCount} refused)`);
console.log(
  `import: ${rows} creates straight to Jira ${IMPORT_CONCURRENCY} at a time ${(directImportMs / 1000).toFixed(1)} s (${((rows / directImportMs) * 1000).toFixed(0)} issues/s), bulk import ${(importMs / 1000).toFixed(1)} s (${((rows / importMs) * 1000).toFixed(0)} issues/s) → ratio ${(directImportMs / importMs).toFixed(2)} (target ≥ 0.8)`,
);

sb.child.kill('SIGTERM');
jira.child.kill('SIGTERM');
other.child.kill('SIGTERM');
await agent.close();

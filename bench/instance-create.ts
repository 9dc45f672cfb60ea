/**
 * How much time switchboard adds to `POST /instances` beyond the Jira round trip (issue #4,
 * target: under 5 ms at the median). Measured side by side in one run: the same two Jira calls
 * switchboard makes (anonymous serverInfo, credentialed myself) made directly with undici,
 * then the full API call over a socket. Sequential requests, so each number is one latency.
 *
 * Run: npm run bench:instances [-- --n 300] (SQLite by default; DATABASE_URL for PostgreSQL)
 */
import { Agent, request } from 'undici';
import { startJiraEmulator } from '../emulators/jira-server/index.ts';
import { median, numberArg, percentile } from './args.ts';
import { startInProcess } from './in-process.ts';

const n = numberArg('n', 300);

const jira = await startJiraEmulator({ seedIssues: 0 });
const sb = await startInProcess({ SWITCHBOARD_ROLE: 'api' });
const { api, auth, store } = sb;
const agent = new Agent({ keepAliveTimeout: 30_000 });

async function direct(): Promise<number> {
  const t = performance.now();
  const a = await request(`${jira.baseUrl}/rest/api/2/serverInfo`, { dispatcher: agent, headers: { accept: 'application/json' } });
  await a.body.text();
  const b = await request(`${jira.baseUrl}/rest/api/2/myself`, {
    dispatcher: agent,
    headers: { accept: 'application/json', authorization: `Basic ${Buffer.from('jiradev:jiradev').toString('base64')}` },
  });
  await b.body.text();
  return performance.now() - t;
}

const body = JSON.stringify({
  element: { key: 'jiraonprem' },
  name: 'bench',
  tags: ['bench'],
  configuration: { username: 'jiradev', password: 'jiradev', siteAddress: jira.baseUrl },
});
async function viaSwitchboard(): Promise<number> {
  const t = performance.now();
  const res = await request(`${api}/instances`, {
    method: 'POST',
    dispatcher: agent,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body,
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode}`);
  return performance.now() - t;
}

for (let i = 0; i < 30; i++) {
  await direct();
  await viaSwitchboard();
}
const d: number[] = [];
const s: number[] = [];
for (let i = 0; i < n; i++) {
  d.push(await direct());
  s.push(await viaSwitchboard());
}

console.log(`store: ${store.dialect}; ${n} sequential creates, interleaved with ${n} direct Jira checks`);
console.log(`direct Jira (serverInfo + myself): median ${median(d).toFixed(2)} ms, p95 ${percentile(d, 0.95).toFixed(2)} ms`);
console.log(`POST /instances:                  median ${median(s).toFixed(2)} ms, p95 ${percentile(s, 0.95).toFixed(2)} ms`);
console.log(`added by switchboard (difference of the medians): ${(median(s) - median(d)).toFixed(2)} ms (target < 5 ms)`);
console.log(`ratio POST /instances / direct: ${(median(s) / median(d)).toFixed(2)}`);

await sb.close();
await jira.close();
await agent.close();

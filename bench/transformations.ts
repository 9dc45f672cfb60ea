/**
 * Cost of a 30-field transformation on a 200-item incident page (issue #8, target: under 10% of
 * the hub call), measured side by side in one run: the same `GET /incidents?pageSize=200`
 * through two instances of one Jira, one with the transformation and one without.
 *
 * Run: npm run bench:transformations [-- --n 40]
 */
import { Agent, request } from 'undici';
import { startJiraEmulator } from '../emulators/jira-server/index.ts';
import { median, numberArg } from './args.ts';
import { startInProcess } from './in-process.ts';

const n = numberArg('n', 40);

const jira = await startJiraEmulator({ seedIssues: 1000 });
const sb = await startInProcess({ SWITCHBOARD_ROLE: 'api' });
const { api, auth, services, store } = sb;
const agent = new Agent();
const call = async (method: string, path: string, body?: unknown, extra = '') => {
  const res = await request(`${api}${path}`, {
    method,
    dispatcher: agent,
    headers: { authorization: `${auth}${extra}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text || 'null');
};
const instance = () =>
  call('POST', '/instances', {
    element: { key: 'jiraonprem' },
    name: 'bench',
    configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
  });

const vendorPaths = [
  'id',
  'key',
  'self',
  'fields.summary',
  'fields.description',
  'fields.status.name',
  'fields.status.id',
  'fields.status.statusCategory.key',
  'fields.priority.name',
  'fields.priority.id',
  'fields.issuetype.name',
  'fields.issuetype.id',
  'fields.project.key',
  'fields.project.name',
  'fields.reporter.name',
  'fields.reporter.displayName',
  'fields.creator.name',
  'fields.assignee.name',
  'fields.assignee.emailAddress',
  'fields.labels[0]',
  'fields.components[0].name',
  'fields.created',
  'fields.updated',
  'fields.resolution.name',
  'fields.customfield_10100.value',
  'fields.customfield_10101',
  'fields.customfield_10102',
  'fields.watches.watchCount',
  'fields.votes.votes',
  'fields.project.id',
];
const fields = vendorPaths.map((vp, i) => ({
  path: `f${i}`,
  vendorPath: vp,
  type: vp.endsWith('created') || vp.endsWith('updated') ? 'date' : vp.includes('Count') || vp.endsWith('votes') || vp.endsWith('10102') ? 'number' : 'string',
  ...(vp.endsWith('created') || vp.endsWith('updated') ? { mask: "yyyy-MM-dd'T'HH:mm:ss'Z'" } : {}),
}));
await call('POST', '/organizations/objects/incidents/definitions', { fields: fields.map((f) => ({ path: f.path, type: f.type })) });
const plain = await instance();
const shaped = await instance();
await call('POST', `/instances/${shaped.id}/transformations/incidents`, { vendorName: 'issue', fields });

const page = async (token: string) => {
  const t = performance.now();
  const items = (await call('GET', '/hubs/helpdesk/incidents?pageSize=200', undefined, `, Element ${token}`)) as unknown[];
  if (items.length !== 200) throw new Error('short page');
  return performance.now() - t;
};
for (let i = 0; i < 10; i++) {
  await page(plain.token);
  await page(shaped.token);
}
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < n; i++) {
  a.push(await page(plain.token));
  b.push(await page(shaped.token));
}
const overhead = (median(b) - median(a)) / median(a);
// The mapping alone, on the same 200 vendor objects: what the transformation costs before the
// smaller response it produces pays some of it back.
const vendorPage = ((await call('GET', '/hubs/helpdesk/incidents?pageSize=200&raw=true', undefined, `, Element ${plain.token}`)) as { raw: unknown }[]).map(
  (x) => x.raw,
);
const full = await services.instances.get(
  await services.tenancy.identityOf(await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow()),
  shaped.id,
);
const t = (await services.transformations.resolve(full, 'incidents'))!;
const m: number[] = [];
for (let i = 0; i < n; i++) {
  const s = performance.now();
  await services.transformations.read('incidents', t, vendorPage);
  m.push(performance.now() - s);
}
console.log(`GET /incidents?pageSize=200: without transformation median ${median(a).toFixed(1)} ms, with a 30-field transformation ${median(b).toFixed(1)} ms`);
console.log(
  `mapping 200 objects × 30 fields alone: median ${median(m).toFixed(2)} ms = ${((median(m) / median(a)) * 100).toFixed(1)}% of the untransformed hub call (target < 10%)`,
);
console.log(`end to end: the transformed call takes ${(overhead * 100).toFixed(1)}% more time than the untransformed one (its response is smaller)`);

await sb.close();
await jira.close();
await agent.close();

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { basic, jiraClient, withEmulator, type JiraClient } from '../helpers/jira-client.ts';

/**
 * Every response of every implemented operation, validated against Atlassian's OpenAPI document
 * for Jira DC 10.3 (jira-server.md §10), with the documented relaxations:
 *  R1/R9 list endpoints declared as one bean: each element is validated against the bean;
 *  R2    `/page` endpoints: the PageBean envelope is checked and each `values` item validated;
 *  R3    `IssueBean.fields` and `IssueBean.renderedFields` values may be of any JSON type (rendered
 *        values are HTML strings or null);
 *  R11   `EntityPropertyBean.value` is declared a string; Jira stores and returns any JSON value;
 *  R4    attachment upload answers an array: each item is validated;
 *  R5    empty schemas (serverInfo, editmeta, attachment, picker…): hand assertions in fidelity.test.ts;
 *  R7    error bodies have no schema: JSON errors are checked against ErrorCollection by hand;
 *  R10   Jira datetimes (`…+0000`, no colon) are not RFC 3339, so `format` is not enforced.
 * Operations the document does not cover (webhook admin APIs, /rest/pat, /status, attachment bytes, the web login,
 * the pre-9 global createmeta, the control API, the deprecated DELETE of a version that
 * python3-jira still calls) are listed in NOT_IN_DOCUMENT.
 */

// Atlassian's document for Jira Software DC, trimmed to what validates (test/contracts/jira/).
const DOC = JSON.parse(readFileSync(resolve(import.meta.dirname, '../contracts/jira/jira-dc-openapi.trimmed.json'), 'utf8'));
const AjvClass = createRequire(import.meta.url)('ajv').default as new (o: Options) => Ajv;

const LIST_AS_ITEM = new Set([
  'GET /api/2/project',
  'GET /api/2/field',
  'GET /api/2/issuetype',
  'GET /api/2/priority',
  'GET /api/2/status',
  'GET /api/2/resolution',
  'GET /api/2/user/search',
  'GET /api/2/user/assignable/search',
  'GET /api/2/project/{projectIdOrKey}/statuses',
  'GET /api/2/project/{projectIdOrKey}/components',
  'POST /api/2/issue/{issueIdOrKey}/attachments',
  'GET /api/2/statuscategory',
  'POST /api/2/worklog/list',
  'GET /api/2/project/{projectIdOrKey}/versions',
  'GET /api/2/issue/{issueIdOrKey}/remotelink',
]);
const PAGE_BEANS = new Set(['GET /api/2/priority/page', 'GET /api/2/status/page', 'GET /api/2/issuetype/page']);
const NOT_IN_DOCUMENT = [
  '/rest/webhooks/1.0/',
  '/rest/jira-webhook/1.0/',
  '/rest/pat/',
  '/status',
  '/secure/attachment/',
  '/rest/api/2/issue/createmeta',
  '/login.jsp',
  'DELETE /rest/api/2/version/',
];
/** Whether a call is one the document leaves out: entries are path prefixes, optionally after a method. */
const undocumented = (method: string, path: string) =>
  NOT_IN_DOCUMENT.some((entry) => {
    const [m, prefix] = entry.includes(' ') ? entry.split(' ') : [undefined, entry];
    return (m === undefined || m === method) && path.startsWith(prefix!);
  });

interface Recorded {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

function buildAjv(): Ajv {
  const doc = structuredClone(DOC);
  // R3: field values of any JSON type.
  doc.components.schemas.IssueBean.properties.fields.additionalProperties = {};
  doc.components.schemas.IssueBean.properties.renderedFields.additionalProperties = {};
  // R11: property values are arbitrary JSON.
  doc.components.schemas.EntityPropertyBean.properties.value = {};
  const ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, 'openapi.json');
  return ajv;
}

/** `/rest/api/2/issue/CE-1/comment/10001` → the document's template `/api/2/issue/{issueIdOrKey}/comment/{id}`. */
function findOperation(method: string, path: string): { template: string; op: any } | undefined {
  const rel = path.replace(/^\/rest/, '');
  const candidates = Object.keys(DOC.paths).filter((t) => {
    const re = new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '[^/]+')}$`);
    return re.test(rel) && DOC.paths[t][method.toLowerCase()];
  });
  // Prefer literal segments over parameters (e.g. /priority/page over /priority/{id}).
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  const template = candidates[0];
  return template ? { template, op: DOC.paths[template][method.toLowerCase()] } : undefined;
}

let em: Awaited<ReturnType<typeof withEmulator>>;
const recorded: Recorded[] = [];
let jira: JiraClient;

beforeAll(async () => {
  em = await withEmulator({ version: '10.3.17' });
  const raw = jiraClient(em.baseUrl);
  const wrap =
    (method: string) =>
    async (path: string, ...rest: any[]) => {
      const fn = (raw as any)[method];
      const res = await fn(path, ...rest);
      recorded.push({
        method: ({ get: 'GET', post: 'POST', put: 'PUT', del: 'DELETE' } as Record<string, string>)[method]!,
        path: path.split('?')[0]!,
        status: res.status,
        body: res.body,
      });
      return res;
    };
  jira = {
    get: wrap('get'),
    post: wrap('post'),
    put: wrap('put'),
    del: wrap('del'),
    request: async (method: string, path: string, o?: any) => {
      const res = await raw.request(method, path, o);
      recorded.push({ method, path: path.split('?')[0]!, status: res.status, body: res.body });
      return res;
    },
  } as JiraClient;
  await exercise(jira);
});
afterAll(async () => {
  await em.close();
});

/** Calls every implemented operation at least once with realistic inputs. */
async function exercise(j: JiraClient): Promise<void> {
  await j.get('/rest/api/2/serverInfo');
  await j.get('/rest/api/2/myself');
  await j.get('/rest/api/2/mypermissions');
  await j.get('/rest/api/2/mypermissions?projectKey=CE');
  await j.get('/rest/api/2/search?jql=project%3DCE&maxResults=3&expand=names,schema,changelog,renderedFields');
  await j.post('/rest/api/2/search', { jql: 'project = CE ORDER BY key ASC', maxResults: 3, fields: ['*all'] });
  const created = (
    await j.post('/rest/api/2/issue', {
      fields: {
        project: { key: 'CE' },
        issuetype: { name: 'Bug' },
        summary: 'contract',
        labels: ['x'],
        customfield_10100: { value: 'Major' },
        customfield_10104: { name: 'kevin' },
      },
    })
  ).body;
  await j.post('/rest/api/2/issue/bulk', { issueUpdates: [{ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'bulk' } }] });
  await j.get(`/rest/api/2/issue/${created.key}?expand=changelog,renderedFields,names,schema,transitions,editmeta`);
  await j.put(`/rest/api/2/issue/${created.key}`, { fields: { summary: 'contract edited' }, update: { labels: [{ add: 'y' }] } });
  await j.get(`/rest/api/2/issue/${created.key}/editmeta`);
  await j.put(`/rest/api/2/issue/${created.key}/assignee`, { name: 'jiradev' });
  await j.get(`/rest/api/2/issue/${created.key}/transitions?expand=transitions.fields`);
  await j.post(`/rest/api/2/issue/${created.key}/transitions`, { transition: { id: '4' } });
  await j.post(`/rest/api/2/issue/${created.key}/notify`, { subject: 's', textBody: 't', to: { users: [{ name: 'jiradev' }] } });
  const comment = (await j.post(`/rest/api/2/issue/${created.key}/comment`, { body: 'c' })).body;
  await j.get(`/rest/api/2/issue/${created.key}/comment`);
  await j.get(`/rest/api/2/issue/${created.key}/comment/${comment.id}`);
  await j.put(`/rest/api/2/issue/${created.key}/comment/${comment.id}`, { body: 'c2' });
  const form = new FormData();
  form.append('file', new Blob(['abc'], { type: 'text/plain' }), 'a.txt');
  const att = (await j.request('POST', `/rest/api/2/issue/${created.key}/attachments`, { body: form, headers: { 'X-Atlassian-Token': 'no-check' } })).body;
  await j.get(`/rest/api/2/attachment/${att[0].id}`);
  await j.get('/rest/api/2/attachment/meta');
  const wl = (await j.post(`/rest/api/2/issue/${created.key}/worklog`, { timeSpent: '2h', started: '2024-05-01T10:00:00.000+0000' })).body;
  await j.get(`/rest/api/2/issue/${created.key}/worklog`);
  await j.get(`/rest/api/2/issue/${created.key}/worklog/${wl.id}`);
  await j.put(`/rest/api/2/issue/${created.key}/worklog/${wl.id}`, { timeSpent: '3h' });
  await j.get('/rest/api/2/worklog/updated?since=0');
  await j.get('/rest/api/2/worklog/deleted?since=0');
  await j.post('/rest/api/2/worklog/list', { ids: [Number(wl.id)] });
  await j.put(`/rest/api/2/issue/${created.key}/properties/p`, { v: 1 });
  await j.get(`/rest/api/2/issue/${created.key}/properties`);
  await j.get(`/rest/api/2/issue/${created.key}/properties/p`);
  await j.get(`/rest/api/2/issue/${created.key}/watchers`);
  await j.request('POST', `/rest/api/2/issue/${created.key}/watchers`, { json: 'jiradev' });
  await j.request('DELETE', `/rest/api/2/issue/${created.key}/watchers?username=jiradev`);
  await j.request('POST', `/rest/api/2/issue/${created.key}/votes`, { auth: basic('jiradev') });
  await j.get(`/rest/api/2/issue/${created.key}/votes`);
  await j.request('DELETE', `/rest/api/2/issue/${created.key}/votes`, { auth: basic('jiradev') });
  const remote = (await j.post(`/rest/api/2/issue/${created.key}/remotelink`, { globalId: 'g1', object: { url: 'https://example.com', title: 'Example' } }))
    .body;
  await j.get(`/rest/api/2/issue/${created.key}/remotelink`);
  await j.get(`/rest/api/2/issue/${created.key}/remotelink/${remote.id}`);
  await j.put(`/rest/api/2/issue/${created.key}/remotelink/${remote.id}`, { object: { url: 'https://example.org', title: 'Example 2' } });
  await j.del(`/rest/api/2/issue/${created.key}/remotelink/${remote.id}`);
  await j.post(`/rest/api/2/issue/${created.key}/remotelink`, { globalId: 'g2', object: { url: 'https://example.com', title: 'Again' } });
  await j.del(`/rest/api/2/issue/${created.key}/remotelink?globalId=g2`);
  await j.get('/rest/api/2/issueLinkType');
  await j.post('/rest/api/2/issueLink', { type: { name: 'Blocks' }, inwardIssue: { key: created.key }, outwardIssue: { key: 'CE-1' } });
  const linkId = (await j.get(`/rest/api/2/issue/${created.key}?fields=issuelinks`)).body.fields.issuelinks[0].id;
  await j.get(`/rest/api/2/issueLink/${linkId}`);
  await j.del(`/rest/api/2/issueLink/${linkId}`);
  await j.get('/rest/api/2/issue/createmeta/CE/issuetypes');
  await j.get('/rest/api/2/issue/createmeta/CE/issuetypes/10001');
  for (const p of [
    'priority',
    'priority/1',
    'priority/page',
    'status',
    'status/1',
    'status/page',
    'statuscategory',
    'resolution',
    'resolution/1',
    'issuetype',
    'issuetype/10001',
    'issuetype/page',
    'field',
    'customFieldOption/10200',
    'project',
    'project/CE',
    'project/CE/statuses',
    'project/CE/components',
    'user?username=jiradev',
    'user/search?username=j',
    'user/assignable/search?project=CE',
    'user/picker?query=k',
    'groups/picker?query=jira',
    'group/member?groupname=jira-users',
  ]) {
    await j.get(`/rest/api/2/${p}`);
  }
  const type = (await j.post('/rest/api/2/issuetype', { name: 'Incident', description: 'd', type: 'standard' })).body;
  await j.put(`/rest/api/2/issuetype/${type.id}`, { description: 'd2' });
  await j.post('/rest/api/2/field', { name: 'Group', type: 'com.atlassian.jira.plugin.system.customfieldtypes:grouppicker' });
  const project = (await j.post('/rest/api/2/project', { key: 'AX1', name: 'Ax1', projectTypeKey: 'business', lead: 'kevin' })).body;
  await j.put(`/rest/api/2/project/${project.key}`, { description: 'x' });
  const component = (await j.post('/rest/api/2/component', { project: 'AX1', name: 'Comp' })).body;
  await j.get(`/rest/api/2/component/${component.id}`);
  await j.put(`/rest/api/2/component/${component.id}`, { description: 'changed' });
  await j.del(`/rest/api/2/component/${component.id}`);
  const version = (await j.post('/rest/api/2/version', { project: 'AX1', name: '1.0', releaseDate: '2024-06-01' })).body;
  await j.get(`/rest/api/2/version/${version.id}`);
  await j.put(`/rest/api/2/version/${version.id}`, { released: true });
  await j.get('/rest/api/2/project/AX1/versions');
  await j.del(`/rest/api/2/version/${version.id}`);
  const user = (await j.post('/rest/api/2/user', { name: 'contract', emailAddress: 'c@example.com', displayName: 'Contract User', password: 'pw' })).body;
  await j.put(`/rest/api/2/user?key=${user.key}`, { displayName: 'Contract U' });
  await j.put(`/rest/api/2/user/password?key=${user.key}`, { password: 'pw2' });
  await j.put('/rest/api/2/user/password?username=contract', { password: 'pw3', currentPassword: 'wrong' }, { auth: basic('contract', 'pw2') });
  await j.post('/rest/auth/1/session', { username: 'jiradev', password: 'jiradev' }, { auth: null });
  await j.get('/rest/auth/1/session');
  // Error bodies (R7).
  await j.get('/rest/api/2/issue/NOPE-1');
  await j.post('/rest/api/2/issue', { fields: { project: { key: 'CE' } } });
  await j.get('/rest/api/2/search?jql=project%20%3D%20NOPE');
  // Deletes last.
  await j.del(`/rest/api/2/issue/${created.key}/worklog/${wl.id}`);
  await j.del(`/rest/api/2/issue/${created.key}/properties/p`);
  await j.del(`/rest/api/2/attachment/${att[0].id}`);
  await j.del(`/rest/api/2/issue/${created.key}/comment/${comment.id}`);
  await j.del(`/rest/api/2/issue/${created.key}`);
  await j.del(`/rest/api/2/issuetype/${type.id}`);
  await j.del(`/rest/api/2/user?key=${user.key}`);
  await j.del(`/rest/api/2/project/${project.key}`);
  await j.del('/rest/auth/1/session', { headers: { cookie: 'JSESSIONID=none' } });
}

describe('OpenAPI contract (Jira DC 10.3)', () => {
  const ajv = buildAjv();
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: `openapi.json${ref}` });
      validators.set(ref, v);
    }
    return v;
  };

  it("validates every successful response against its operation's schema", () => {
    const failures: string[] = [];
    let validated = 0;
    for (const r of recorded.filter((x) => x.status < 300)) {
      if (undocumented(r.method, r.path)) continue;
      const found = findOperation(r.method, r.path);
      if (!found) {
        failures.push(`${r.method} ${r.path}: not in the OpenAPI document and not listed as such`);
        continue;
      }
      const key = `${r.method} ${found.template}`;
      const responses = found.op.responses ?? {};
      const declared = responses[String(r.status)] ?? responses.default ?? Object.entries(responses).find(([code]) => code.startsWith('2'))?.[1];
      const ref: string | undefined = (declared as any)?.content?.['application/json']?.schema?.$ref?.replace(/^#/, '#');
      const inlineItems: string | undefined = (declared as any)?.content?.['application/json']?.schema?.items?.$ref;
      if (r.status === 204 || r.body === '' || (!ref && !inlineItems)) continue;
      const v = validatorFor((ref ?? inlineItems)!);
      let items: unknown[];
      if (PAGE_BEANS.has(key)) {
        const page = r.body as { values?: unknown[]; isLast?: unknown; total?: unknown };
        expect(Array.isArray(page.values), key).toBe(true);
        expect(typeof page.isLast, key).toBe('boolean');
        items = page.values!;
      } else if (LIST_AS_ITEM.has(key) || inlineItems) {
        expect(Array.isArray(r.body), `${key} should answer an array`).toBe(true);
        items = r.body as unknown[];
      } else {
        items = [r.body];
      }
      for (const item of items) {
        validated++;
        if (!v(item)) failures.push(`${key} (${r.status}): ${ajv.errorsText(v.errors)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(60);
  });

  it('answers JSON errors as ErrorCollection (R7)', () => {
    const errors = recorded.filter((r) => r.status >= 400 && typeof r.body === 'object');
    expect(errors.length).toBeGreaterThan(2);
    for (const e of errors) {
      const body = e.body as Record<string, unknown>;
      expect(Array.isArray(body.errorMessages), `${e.method} ${e.path}`).toBe(true);
      expect(typeof (body.errors ?? body.warningMessages), `${e.method} ${e.path}`).toBe('object');
    }
  });

  it('exercised every Jira operation the emulator implements', () => {
    const exercised = new Set(
      recorded.map((r) => {
        const route = em.emulator.routes.find((x) => x.method === r.method && new RegExp(`^${x.url.replace(/:[^/]+/g, '[^/]+')}$`).test(r.path));
        return route ? `${route.method} ${route.url}` : '';
      }),
    );
    const untested = em.emulator.routes
      .filter((r) => !r.url.startsWith('/__emulator') && !undocumented(r.method, r.url))
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !exercised.has(r));
    expect(untested).toEqual([]);
  });

  it('basic auth works as the referee clients use it', async () => {
    expect((await jira.get('/rest/api/2/myself', { auth: basic('kevin') })).status).toBe(200);
  });
});

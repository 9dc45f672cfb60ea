import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, type JiraClient, withEmulator } from '../helpers/jira-client.ts';

/**
 * Details where the emulator was once more lenient or wordier than Jira: empty bodies, history of
 * deleted comments, date functions without a unit, create errors, bean members and server
 * details. Each is what Jira Server/DC answers.
 */
let em: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  em = await withEmulator({ contextPath: '/jira', version: '9.12.2' });
});
afterAll(async () => {
  await em.close();
});
beforeEach(async () => {
  await em.control.post('/seed', { issues: 20 });
  await em.control.put('/config', { userTimeZones: { admin: 'UTC' } });
});
const jira = new Proxy({} as JiraClient, { get: (_t, k) => em.jira[k as keyof JiraClient] });
const newIssue = async () =>
  (await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'details' } })).body.key;

describe('entity properties', () => {
  it('come with a created issue and with get-issue, never with search, which takes no properties parameter', async () => {
    const key = (
      await jira.post('/rest/api/2/issue', {
        fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'with a property' },
        properties: [{ key: 'sb.origin', value: { id: 1 } }],
      })
    ).body.key;
    expect((await jira.get(`/rest/api/2/issue/${key}/properties/sb.origin`)).body).toEqual({ key: 'sb.origin', value: { id: 1 } });
    expect((await jira.get(`/rest/api/2/issue/${key}?fields=summary&properties=sb.origin`)).body.properties).toEqual({ 'sb.origin': { id: 1 } });
    const jql = encodeURIComponent(`key = ${key}`);
    const searched = (await jira.get(`/rest/api/2/search?jql=${jql}&fields=summary&properties=sb.origin`)).body.issues[0];
    expect(searched.key).toBe(key);
    expect(searched.properties).toBeUndefined();
  });
});

describe('bodies', () => {
  it('an empty body with Content-Type application/json is no body, on DELETE and PUT alike', async () => {
    const key = await newIssue();
    const comment = (await jira.post(`/rest/api/2/issue/${key}/comment`, { body: 'to delete' })).body;
    const del = await jira.request('DELETE', `/rest/api/2/issue/${key}/comment/${comment.id}`, { headers: { 'content-type': 'application/json' } });
    expect(del.status).toBe(204);
    const put = await jira.request('PUT', `/rest/api/2/issue/${key}`, { headers: { 'content-type': 'application/json' } });
    expect(put.status).toBeLessThan(500);
    expect(put.text).not.toMatch(/Body cannot be empty/);
  });

  it('an array where Jira expects an issue is refused in Jackson words', async () => {
    const res = await jira.request('POST', '/rest/api/2/issue', { json: [{ fields: {} }] });
    expect(res.status).toBe(400);
    expect(res.body.errorMessages[0]).toMatch(
      /^Can not deserialize instance of com\.atlassian\.jira\.rest\.v2\.issue\.IssueUpdateBean out of START_ARRAY token/,
    );
  });
});

describe('create errors', () => {
  it('name an unknown project, a missing issue type and a summary that is no string as Jira does', async () => {
    const unknown = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'NOPE' }, issuetype: { name: 'Task' }, summary: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ project: 'valid project is required' });
    const noType = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' } } });
    expect(noType.body.errors).toEqual({ issuetype: 'issue type is required' });
    const badType = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Nope' } } });
    expect(badType.body.errors).toEqual({ issuetype: 'valid issue type is required' });
    const numeric = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 5 } });
    expect(numeric.body.errors).toEqual({ summary: 'Operation value must be a string' });
  });
});

describe('history', () => {
  it("deleting a comment records its text in the issue's changelog", async () => {
    const key = await newIssue();
    const comment = (await jira.post(`/rest/api/2/issue/${key}/comment`, { body: 'said and gone' })).body;
    expect((await jira.del(`/rest/api/2/issue/${key}/comment/${comment.id}`)).status).toBe(204);
    const issue = await jira.get(`/rest/api/2/issue/${key}?expand=changelog`);
    const items = issue.body.changelog.histories.flatMap((h: any) => h.items);
    expect(items).toContainEqual({ field: 'Comment', fieldtype: 'jira', from: null, fromString: 'said and gone', to: null, toString: null });
  });
});

describe('JQL date functions', () => {
  it('take an offset without a unit in their own period, quoted or not', async () => {
    for (const fn of ['startOfDay(-1)', 'startOfDay("-1")', 'startOfMonth(-1)', 'endOfWeek(1)', 'startOfYear(-1)']) {
      const res = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent(`created >= ${fn}`)}&maxResults=0`);
      expect(res.status, fn).toBe(200);
    }
    // startOfDay(-1) is yesterday's midnight: an issue created now is inside, one from two days ago is not.
    const now = Date.now();
    await em.control.put('/clock', { now: now - 2 * 86_400_000 });
    const old = await newIssue();
    await em.control.put('/clock', { now });
    const recent = await newIssue();
    const found = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent(`key in (${old}, ${recent}) AND created >= startOfDay(-1)`)}&fields=key`);
    expect(found.body.issues.map((i: any) => i.key)).toEqual([recent]);
  });
});

describe('beans', () => {
  it('an ordinary issue has no parent member and carries the time-tracking members', async () => {
    const key = await newIssue();
    const fields = (await jira.get(`/rest/api/2/issue/${key}`)).body.fields;
    expect(fields).not.toHaveProperty('parent');
    expect(fields).toMatchObject({
      timeestimate: null,
      timeoriginalestimate: null,
      aggregatetimespent: null,
      workratio: -1,
      progress: { progress: 0, total: 0 },
    });
    await jira.post(`/rest/api/2/issue/${key}/worklog`, { timeSpent: '1h', started: '2024-01-01T10:00:00.000+0000' });
    const logged = (await jira.get(`/rest/api/2/issue/${key}`)).body.fields;
    expect(logged).toMatchObject({ timespent: 3600, aggregatetimespent: 3600, progress: { progress: 3600, total: 3600, percent: 100 } });
  });

  it('a project links its roles, and its components say whether their assignee type is valid', async () => {
    const project = (await jira.get('/rest/api/2/project/CE')).body;
    expect(project.roles).toEqual({
      Administrators: `${em.baseUrl}/rest/api/2/project/${project.id}/role/10002`,
      Developers: `${em.baseUrl}/rest/api/2/project/${project.id}/role/10001`,
      Users: `${em.baseUrl}/rest/api/2/project/${project.id}/role/10000`,
    });
    const components = (await jira.get('/rest/api/2/project/CE/components')).body;
    expect(components.length).toBeGreaterThan(0);
    for (const c of [...components, ...project.components])
      expect(c).toMatchObject({ isAssigneeTypeValid: false, assigneeType: 'PROJECT_DEFAULT', project: 'CE' });
  });
});

describe('server details', () => {
  it('numbers the build as major·100000 + minor·1000 + patch', async () => {
    expect((await jira.get('/rest/api/2/serverInfo')).body.buildNumber).toBe(912002);
  });

  it('serves mypermissions, project permissions following browse rights', async () => {
    const mine = await jira.get('/rest/api/2/mypermissions?projectKey=CE', { auth: basic('jiradev') });
    expect(mine.status).toBe(200);
    expect(mine.body.permissions.BROWSE_PROJECTS).toMatchObject({ key: 'BROWSE_PROJECTS', type: 'PROJECT', havePermission: true });
    expect(mine.body.permissions.ADMINISTER.havePermission).toBe(false);
    expect((await jira.get('/rest/api/2/mypermissions')).body.permissions.ADMINISTER.havePermission).toBe(true);
    expect((await jira.get('/rest/api/2/mypermissions?projectKey=NOPE')).status).toBe(404);
  });

  it("answers an unknown REST path with Jersey's 404", async () => {
    const res = await jira.get('/rest/api/2/nosuchresource?x=1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: `null for uri: ${em.baseUrl}/rest/api/2/nosuchresource?x=1`, 'status-code': 404 });
  });

  it('answers a maxResults Jersey cannot convert with 404, not with a default page', async () => {
    for (const path of ['/rest/api/2/search?jql=&maxResults=abc', '/rest/api/2/issue/CE-1/comment?maxResults=abc', '/rest/api/2/search?startAt=1.5']) {
      expect((await jira.get(path)).status, path).toBe(404);
    }
  });

  it('marks JSON answers with their charset and forbids caching them', async () => {
    for (const path of ['/rest/api/2/myself', '/rest/api/2/issue/CE-1', '/rest/api/2/search?maxResults=1']) {
      const res = await jira.get(path);
      expect(res.headers.get('content-type'), path).toBe('application/json;charset=UTF-8');
      expect(res.headers.get('cache-control'), path).toBe('no-cache, no-store, no-transform');
    }
  });
});

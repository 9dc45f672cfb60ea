import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { basic, jiraClient, JIRA_DATETIME, withEmulator, type JiraClient } from '../helpers/jira-client.ts';

/** The fifteen fidelity checks of jira-server.md §14, against the emulator over a socket. */
let em: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => {
  em = await withEmulator({ contextPath: '/jira', version: '10.3.17' });
});
afterAll(async () => {
  await em.close();
});
beforeEach(async () => {
  await em.control.post('/seed', { issues: 120 });
  await em.control.put('/config', { lockoutThreshold: 3, rateLimit: { enabled: false }, userTimeZones: { admin: 'UTC' } });
});

// Resolved per call: the emulator starts in beforeAll.
const jira = new Proxy({} as JiraClient, { get: (_t, k) => em.jira[k as keyof JiraClient] });

describe('1-5: authentication and serverInfo', () => {
  it('1: /myself with valid basic credentials', async () => {
    const res = await jira.get('/rest/api/2/myself', { auth: basic('jiradev') });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ausername')).toBe('jiradev');
    for (const f of ['name', 'key', 'displayName', 'emailAddress', 'active', 'timeZone']) expect(res.body).toHaveProperty(f);
    expect(res.body.key).toMatch(/^JIRAUSER\d+$/);
    expect(res.body.self).toBe(`${em.baseUrl}/rest/api/2/user?username=jiradev`);
    expect(res.headers.get('x-arequestid')).toMatch(/^\d+x\d+x1$/);
    expect(res.headers.get('set-cookie')).toMatch(/^JSESSIONID=/);
  });

  it('2: a bad password gets the HTML 401 with Seraph headers; no credentials get the JSON 401', async () => {
    const bad = await jira.get('/rest/api/2/myself', { auth: basic('jiradev', 'nope') });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
    expect(bad.headers.get('x-ausername')).toBe('anonymous');
    expect(bad.headers.get('content-type')).toMatch(/text\/html/);
    expect(bad.text).toContain('AUTHENTICATED_FAILED');
    const none = await jira.get('/rest/api/2/myself', { auth: null });
    expect(none.status).toBe(401);
    expect(none.body.errorMessages[0]).toBe('You are not authenticated. Authentication required to perform this operation.');
    await em.control.post('/users/jiradev/clear-lockout');
  });

  it('3: three bad passwords lock the user into CAPTCHA; the right password is refused; others unaffected; reset clears', async () => {
    for (let i = 0; i < 3; i++) expect((await jira.get('/rest/api/2/myself', { auth: basic('kevin', 'wrong') })).status).toBe(401);
    const locked = await jira.get('/rest/api/2/myself', { auth: basic('kevin') });
    expect(locked.status).toBe(403);
    expect(locked.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATION_DENIED');
    expect(locked.headers.get('x-authentication-denied-reason')).toBe(`CAPTCHA_CHALLENGE; login-url=${em.baseUrl}/login.jsp`);
    expect(locked.headers.get('content-type')).toMatch(/text\/html/);
    expect((await jira.get('/rest/api/2/myself', { auth: basic('jiradev') })).status).toBe(200);
    await em.control.post('/users/kevin/clear-lockout');
    expect((await jira.get('/rest/api/2/myself', { auth: basic('kevin') })).status).toBe(200);
  });

  it("3b: the login page named by the CAPTCHA header clears the lockout on a correct login, as Jira's web login does", async () => {
    for (let i = 0; i < 3; i++) await jira.get('/rest/api/2/myself', { auth: basic('kevin', 'wrong') });
    const loginUrl = (await jira.get('/rest/api/2/myself', { auth: basic('kevin') })).headers.get('x-authentication-denied-reason')!.split('login-url=')[1]!;
    const form = await fetch(loginUrl);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/name="os_username"[\s\S]*name="os_password"/);
    const post = (password: string) => fetch(loginUrl, { method: 'POST', body: new URLSearchParams({ os_username: 'kevin', os_password: password }) });
    const wrong = await post('wrong');
    expect(wrong.headers.get('x-seraph-loginreason')).toBe('AUTHENTICATED_FAILED');
    expect((await jira.get('/rest/api/2/myself', { auth: basic('kevin') })).status).toBe(403);
    const right = await post('kevin');
    expect(right.headers.get('x-seraph-loginreason')).toBe('OK');
    expect(right.headers.get('set-cookie')).toMatch(/^JSESSIONID=/);
    expect((await jira.get('/rest/api/2/myself', { auth: basic('kevin') })).status).toBe(200);
  });

  it('4: a personal access token works as Bearer and not as a basic-auth password', async () => {
    const created = await jira.post('/rest/pat/latest/tokens', { name: 'switchboard', expirationDuration: 90 }, { auth: basic('jiradev') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'switchboard', rawToken: expect.any(String) });
    const token = created.body.rawToken;
    const bearer = await jira.get('/rest/api/2/myself', { auth: `Bearer ${token}` });
    expect(bearer.status).toBe(200);
    expect(bearer.body.name).toBe('jiradev');
    expect((await jira.get('/rest/api/2/myself', { auth: basic('jiradev', token) })).status).toBe(401);
    const list = await jira.get('/rest/pat/latest/tokens', { auth: basic('jiradev') });
    expect(list.body[0]).not.toHaveProperty('rawToken');
    expect((await jira.del(`/rest/pat/latest/tokens/${created.body.id}`, { auth: basic('jiradev') })).status).toBe(204);
    expect((await jira.get('/rest/api/2/myself', { auth: `Bearer ${token}` })).status).toBe(401);
    await em.control.post('/users/jiradev/clear-lockout');
  });

  it('5: serverInfo works anonymously with Jira formats', async () => {
    const res = await jira.get('/rest/api/2/serverInfo', { auth: null });
    expect(res.status).toBe(200);
    expect(res.body.versionNumbers).toEqual([10, 3, 17]);
    expect(res.body.version).toBe('10.3.17');
    expect(res.body.deploymentType).toBe('Server');
    expect(res.body.serverTime).toMatch(JIRA_DATETIME);
    expect(res.body.buildDate).toMatch(JIRA_DATETIME);
    expect(res.body.baseUrl).toBe(em.baseUrl);
  });
});

describe('6-9: issues, search, fields, JQL errors', () => {
  it('6: create validation, sequential keys, and GET by key and id', async () => {
    const missing = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' } } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.summary).toBeTruthy();
    expect(Array.isArray(missing.body.errorMessages)).toBe(true);
    const a = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'first' } });
    const b = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'second' } });
    expect(a.status).toBe(201);
    expect(typeof a.body.id).toBe('string');
    expect(a.body.self).toMatch(new RegExp(`/rest/api/2/issue/${a.body.id}$`));
    const n = Number(a.body.key.split('-')[1]);
    expect(b.body.key).toBe(`HELP-${n + 1}`);
    const byKey = await jira.get(`/rest/api/2/issue/${a.body.key}`);
    const byId = await jira.get(`/rest/api/2/issue/${a.body.id}`);
    expect(byKey.body).toEqual(byId.body);
    expect(byKey.body.fields.resolution).toBeNull();
    expect(byKey.body.fields.created).toMatch(JIRA_DATETIME);
  });

  it('7: search paging, silent clamp, count-only, and POST equal to GET', async () => {
    const jql = encodeURIComponent('project in (CE, HELP, SEC) ORDER BY key ASC');
    const page = await jira.get(`/rest/api/2/search?jql=${jql}&startAt=100&maxResults=50`);
    expect(page.body).toMatchObject({ startAt: 100, maxResults: 50, total: 120 });
    expect(page.body.issues).toHaveLength(20);
    const keys = page.body.issues.map((i: any) => i.key);
    const sorted = [...keys].sort((x: string, y: string) =>
      (x.split('-')[0]! + x.split('-')[1]!.padStart(6, '0')).localeCompare(y.split('-')[0]! + y.split('-')[1]!.padStart(6, '0')),
    );
    expect(keys).toEqual(sorted);
    const clamped = await jira.get(`/rest/api/2/search?jql=${jql}&maxResults=5000`);
    expect(clamped.status).toBe(200);
    expect(clamped.body.maxResults).toBe(1000);
    const count = await jira.get(`/rest/api/2/search?jql=${jql}&maxResults=0`);
    expect(count.body.issues).toEqual([]);
    expect(count.body.total).toBe(120);
    const post = await jira.post('/rest/api/2/search', { jql: 'project in (CE, HELP, SEC) ORDER BY key ASC', startAt: 100, maxResults: 50 });
    expect(post.body).toEqual(page.body);
    const defaults = await jira.get(`/rest/api/2/search?jql=${jql}`);
    expect(defaults.body.maxResults).toBe(50);
  });

  it('8: field selection', async () => {
    const two = await jira.get('/rest/api/2/issue/CE-1?fields=summary,status');
    expect(Object.keys(two.body.fields).sort()).toEqual(['status', 'summary']);
    expect(two.body).toMatchObject({ id: expect.any(String), key: 'CE-1', self: expect.any(String) });
    const minus = await jira.get('/rest/api/2/issue/CE-1?fields=*all,-description');
    expect(minus.body.fields).not.toHaveProperty('description');
    expect(minus.body.fields).toHaveProperty('summary');
    const custom = await jira.get('/rest/api/2/search?jql=key%3DCE-1&fields=customfield_10100');
    expect(Object.keys(custom.body.issues[0].fields)).toEqual(['customfield_10100']);
    const nav = await jira.get('/rest/api/2/search?jql=key%3DCE-1');
    expect(nav.body.issues[0].fields).toHaveProperty('assignee');
    expect(nav.body.issues[0].fields).not.toHaveProperty('comment');
  });

  it('9: JQL errors and validateQuery=false', async () => {
    const syntax = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent('project = CE AND')}`);
    expect(syntax.status).toBe(400);
    expect(syntax.body.errorMessages[0]).toMatch(/line 1, character \d+/);
    expect(Array.isArray(syntax.body.warningMessages)).toBe(true);
    expect(syntax.body).not.toHaveProperty('errors');
    const value = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent('project = NOPE')}`);
    expect(value.status).toBe(400);
    expect(value.body.errorMessages).toEqual(["The value 'NOPE' does not exist for the field 'project'."]);
    const field = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent('nofield = 1')}`);
    expect(field.body.errorMessages).toEqual(["Field 'nofield' does not exist or you do not have permission to view it."]);
    const lenient = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent('project = NOPE')}&validateQuery=false`);
    expect(lenient.status).toBe(200);
    expect(lenient.body.total).toBe(0);
    expect(lenient.body.warningMessages).toEqual(["The value 'NOPE' does not exist for the field 'project'."]);
  });
});

describe('10-13: dates, comments, attachments, transitions', () => {
  it("10: JQL dates at minute precision in the searcher's time zone", async () => {
    await em.control.put('/config', { userTimeZones: { admin: 'Asia/Tokyo' } });
    await em.control.put('/clock', { now: '2024-05-01T10:00:30.000Z', freeze: true });
    const created = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'tokyo' } });
    await em.control.put('/clock', { now: Date.now(), freeze: false });
    const q = (jql: string) => jira.get(`/rest/api/2/search?jql=${encodeURIComponent(`key = ${created.body.key} AND ${jql}`)}&fields=updated`);
    expect((await q('updated >= "2024-05-01 19:00"')).body.total).toBe(1);
    expect((await q('updated >= "2024/05/01 19:01"')).body.total).toBe(0);
    expect((await q('updated >= "2024-05-01"')).body.total).toBe(1);
    expect((await q('updated >= "-1d"')).body.total).toBe(0);
    const recent = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'recent' } });
    expect((await jira.get(`/rest/api/2/search?jql=${encodeURIComponent(`key = ${recent.body.key} AND updated >= "-1d"`)}`)).body.total).toBe(1);
    expect((await jira.get(`/rest/api/2/search?jql=${encodeURIComponent(`key = ${recent.body.key} AND updated >= startOfDay("-1d")`)}`)).body.total).toBe(1);

    const ordered = await jira.get(`/rest/api/2/search?jql=${encodeURIComponent('project = CE ORDER BY updated ASC')}&fields=updated&maxResults=200`);
    const times = ordered.body.issues.map((i: any) => Date.parse(i.fields.updated.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')));
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));

    const before = (await jira.get(`/rest/api/2/issue/${recent.body.key}?fields=updated`)).body.fields.updated;
    await em.control.put('/clock', { advanceMs: 1000 });
    await jira.post(`/rest/api/2/issue/${recent.body.key}/comment`, { body: 'bump' });
    const after = (await jira.get(`/rest/api/2/issue/${recent.body.key}?fields=updated`)).body.fields.updated;
    expect(after > before).toBe(true);
    await em.control.put('/config', { userTimeZones: { admin: 'UTC' } });
  });

  it('11: comments', async () => {
    const c = await jira.post('/rest/api/2/issue/CE-2/comment', { body: 'x' }, { auth: basic('jiradev') });
    expect(c.status).toBe(201);
    expect(typeof c.body.id).toBe('string');
    expect(c.body.author.name).toBe('jiradev');
    expect(c.body.created).toBe(c.body.updated);
    expect(c.body.created).toMatch(JIRA_DATETIME);
    const list = await jira.get('/rest/api/2/issue/CE-2/comment');
    expect(list.body).toMatchObject({ startAt: 0, total: expect.any(Number), maxResults: expect.any(Number) });
    expect(list.body.comments.map((x: any) => x.id)).toContain(c.body.id);
    await em.control.put('/clock', { advanceMs: 1000 });
    const edited = await jira.put(`/rest/api/2/issue/CE-2/comment/${c.body.id}`, { body: 'y' });
    expect(edited.status).toBe(200);
    expect(edited.body.updated > c.body.updated).toBe(true);
    expect(edited.body.updateAuthor.name).toBe('admin');
    expect((await jira.del(`/rest/api/2/issue/CE-2/comment/${c.body.id}`)).status).toBe(204);
    expect((await jira.get(`/rest/api/2/issue/CE-2/comment/${c.body.id}`)).status).toBe(404);
  });

  it('12: attachments need the XSRF header, answer an array and serve identical bytes', async () => {
    const bytes = Buffer.from('hello attachment \u00e9\n'.repeat(10));
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([bytes], { type: 'text/plain' }), 'notes.txt');
      return f;
    };
    const blocked = await jira.request('POST', '/rest/api/2/issue/CE-3/attachments', { body: form() });
    expect(blocked.status).toBe(403);
    expect(blocked.text).toBe('XSRF check failed');
    const ok = await jira.request('POST', '/rest/api/2/issue/CE-3/attachments', { body: form(), headers: { 'X-Atlassian-Token': 'no-check' } });
    expect(ok.status).toBe(200);
    expect(Array.isArray(ok.body)).toBe(true);
    expect(ok.body[0]).toMatchObject({ filename: 'notes.txt', size: bytes.length, mimeType: 'text/plain' });
    const content = await fetch(ok.body[0].content, { headers: { authorization: basic('admin') } });
    expect(Buffer.from(await content.arrayBuffer())).toEqual(bytes);
    const issue = await jira.get('/rest/api/2/issue/CE-3?fields=attachment');
    expect(issue.body.fields.attachment.map((a: any) => a.id)).toContain(ok.body[0].id);
  });

  it('13: transitions list only valid ones, reject invalid ids, and record status history', async () => {
    const created = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' }, summary: 'flow' } });
    const list = await jira.get(`/rest/api/2/issue/${created.body.key}/transitions`);
    expect(list.body.transitions.map((t: any) => t.name)).toEqual(['Start Progress', 'Resolve Issue', 'Close Issue']);
    expect((await jira.post(`/rest/api/2/issue/${created.body.key}/transitions`, { transition: { id: '301' } })).status).toBe(400);
    expect((await jira.post(`/rest/api/2/issue/${created.body.key}/transitions`, { transition: { id: '4' } })).status).toBe(204);
    const after = await jira.get(`/rest/api/2/issue/${created.body.key}?expand=changelog`);
    expect(after.body.fields.status.name).toBe('In Progress');
    expect(after.body.changelog.histories.at(-1).items).toContainEqual({
      field: 'status',
      fieldtype: 'jira',
      from: '1',
      fromString: 'Open',
      to: '3',
      toString: 'In Progress',
    });
  });
});

describe('14: webhooks', () => {
  let receiver: Server;
  let received: { url: string; body: any }[] = [];
  let hookBase = '';
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body: data ? JSON.parse(data) : null });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  const deliveredAfter = async () => {
    await em.control.get('/deliveries');
    return received;
  };

  for (const version of ['9.12.2', '10.3.17']) {
    it(`14: register, filter, substitute, deliver and unregister on ${version}`, async () => {
      received = [];
      await em.control.put('/config', { version });
      const v10 = version.startsWith('10');
      const path = v10 ? '/rest/jira-webhook/1.0/webhooks' : '/rest/webhooks/1.0/webhook';
      const otherPath = v10 ? '/rest/webhooks/1.0/webhook' : '/rest/jira-webhook/1.0/webhooks';
      const body = v10
        ? {
            name: 'sb',
            url: `${hookBase}/hook/\${issue.key}`,
            events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
            configuration: { FILTERS: 'project = HELP' },
            active: true,
          }
        : {
            name: 'sb',
            url: `${hookBase}/hook/\${issue.key}`,
            events: ['jira:issue_created', 'jira:issue_updated', 'comment_created'],
            filters: { 'issue-related-events-section': 'project = HELP' },
            enabled: true,
          };
      expect((await jira.post(path, body, { auth: basic('jiradev') })).status).toBe(403);
      expect((await jira.post(otherPath, body)).status).toBe(404);
      const reg = await jira.post(path, body);
      expect(reg.status).toBe(201);
      const id = v10 ? reg.body.id : reg.body.self.split('/').pop();
      if (!v10) expect(reg.body).not.toHaveProperty('id');

      const issue = await jira.post(
        '/rest/api/2/issue',
        { fields: { project: { key: 'HELP' }, issuetype: { name: 'Task' }, summary: 'hooked' } },
        { auth: basic('jiradev') },
      );
      await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'not hooked' } });
      let got = await deliveredAfter();
      expect(got).toHaveLength(1);
      expect(got[0]!.url).toBe(`/hook/${issue.body.key}`);
      expect(got[0]!.body).toMatchObject({ webhookEvent: 'jira:issue_created', user: { name: 'jiradev' }, issue: { key: issue.body.key } });
      expect(got[0]!.body.timestamp).toBeGreaterThan(1_600_000_000_000);

      received = [];
      await jira.post(`/rest/api/2/issue/${issue.body.key}/comment`, { body: 'hi' });
      got = await deliveredAfter();
      expect(got.map((g) => g.body.webhookEvent).sort()).toEqual(['comment_created', 'jira:issue_updated']);
      expect(got.find((g) => g.body.webhookEvent === 'jira:issue_updated')!.body.issue_event_type_name).toBe('issue_commented');

      expect((await jira.del(`${path}/${id}`)).status).toBe(204);
      received = [];
      await jira.post(`/rest/api/2/issue/${issue.body.key}/comment`, { body: 'again' });
      expect(await deliveredAfter()).toHaveLength(0);
      await em.control.put('/config', { version: '10.3.17' });
    });
  }
});

describe('15: properties, 404s and rate limiting', () => {
  it('properties: 201 then 200, read, list, delete, then 404', async () => {
    expect((await jira.put('/rest/api/2/issue/CE-4/properties/k', { a: 1 })).status).toBe(201);
    expect((await jira.put('/rest/api/2/issue/CE-4/properties/k', { a: 2 })).status).toBe(200);
    expect((await jira.get('/rest/api/2/issue/CE-4/properties/k')).body).toEqual({ key: 'k', value: { a: 2 } });
    expect((await jira.get('/rest/api/2/issue/CE-4/properties')).body.keys.map((k: any) => k.key)).toContain('k');
    expect((await jira.del('/rest/api/2/issue/CE-4/properties/k')).status).toBe(204);
    expect((await jira.get('/rest/api/2/issue/CE-4/properties/k')).status).toBe(404);
  });

  it('unknown and invisible issues are the same 404', async () => {
    const missing = await jira.get('/rest/api/2/issue/CE-99999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errorMessages: ['Issue Does Not Exist'], errors: {} });
    const sec = await jira.get('/rest/api/2/issue/SEC-1');
    expect(sec.status).toBe(200);
    const hidden = await jira.get('/rest/api/2/issue/SEC-1', { auth: basic('kevin') });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ errorMessages: ['Issue Does Not Exist'], errors: {} });
  });

  it('rate limiting: the sixth rapid request gets 429 with the DC headers', async () => {
    await em.control.put('/config', { rateLimit: { enabled: true, capacity: 5, fillRate: 1, intervalSeconds: 60 } });
    for (let i = 0; i < 5; i++) {
      const ok = await jira.get('/rest/api/2/myself');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-limit')).toBe('5');
    }
    const limited = await jira.get('/rest/api/2/myself');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toEqual({ message: expect.any(String) });
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-fillrate', 'x-ratelimit-interval-seconds'])
      expect(limited.headers.get(h)).not.toBeNull();
    const html = await jira.get('/rest/api/2/myself', { headers: { accept: 'text/html' } });
    expect(html.status).toBe(429);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    await em.control.put('/config', { rateLimit: { enabled: false } });
  });
});

describe('extra checks', () => {
  it('notify answers 204 and lands in the outbox', async () => {
    const res = await jira.post('/rest/api/2/issue/CE-5/notify', { subject: 's', textBody: 't', to: { users: [{ name: 'jiradev' }] } });
    expect(res.status).toBe(204);
    const outbox = await em.control.get('/outbox');
    expect(outbox.body.at(-1)).toMatchObject({ issueKey: 'CE-5', body: { subject: 's' } });
  });

  it('worklog "1h 30m" is 5400 seconds', async () => {
    const res = await jira.post('/rest/api/2/issue/CE-6/worklog', { timeSpent: '1h 30m', comment: 'x', started: '2024-05-01T10:00:00.000+0000' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ timeSpentSeconds: 5400, timeSpent: '1h 30m', started: '2024-05-01T10:00:00.000+0000' });
  });

  it('createmeta required fields equal the create validation failures', async () => {
    const meta = await jira.get('/rest/api/2/issue/createmeta/CE/issuetypes/10001');
    const required = meta.body.values
      .filter((f: any) => f.required)
      .map((f: any) => f.fieldId)
      .sort();
    expect(required).toEqual(['issuetype', 'project', 'summary']);
    // Jira checks project and issue type first and stops there; then the remaining fields.
    const res = await jira.post('/rest/api/2/issue', { fields: {} });
    expect(res.body.errors).toEqual({ project: 'project is required', issuetype: 'issue type is required' });
    const rest = await jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { id: '10001' } } });
    expect(Object.keys(rest.body.errors).sort()).toEqual(required.filter((f: string) => f !== 'project' && f !== 'issuetype'));
  });

  it('user search matches login, display name and e-mail prefixes and needs username', async () => {
    expect((await jira.get('/rest/api/2/user/search?username=jirad')).body.map((u: any) => u.name)).toEqual(['jiradev']);
    expect((await jira.get('/rest/api/2/user/search?username=Flynn')).body.map((u: any) => u.name)).toEqual(['kevin']);
    expect((await jira.get('/rest/api/2/user/search?username=kevin%40example')).body.map((u: any) => u.name)).toEqual(['kevin']);
    expect((await jira.get('/rest/api/2/user/search')).status).toBe(400);
  });

  it('the global createmeta is 404 "Issue Does Not Exist" on 9.x+ and present on 8.x', async () => {
    const gone = await jira.get('/rest/api/2/issue/createmeta');
    expect(gone.status).toBe(404);
    expect(gone.body.errorMessages).toEqual(['Issue Does Not Exist']);
    await em.control.put('/config', { version: '8.20.30' });
    const present = await jira.get('/rest/api/2/issue/createmeta?projectKeys=CE&expand=projects.issuetypes.fields');
    expect(present.status).toBe(200);
    expect(present.body.projects[0].issuetypes[0].fields.summary.required).toBe(true);
    await em.control.put('/config', { version: '10.3.17' });
  });

  it('a text/plain POST gets 415', async () => {
    const res = await jira.request('POST', '/rest/api/2/issue', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
  });

  it('11.x disables basic auth by default; PAT still works', async () => {
    const created = await jira.post('/rest/pat/latest/tokens', { name: 'eleven' });
    await em.control.put('/config', { version: '11.3.1' });
    const basicRes = await jira.get('/rest/api/2/myself');
    expect(basicRes.status).toBe(403);
    expect(basicRes.body.errorMessages[0]).toMatch(/Basic Authentication has been disabled/);
    expect((await jira.get('/rest/api/2/myself', { auth: `Bearer ${created.body.rawToken}` })).status).toBe(200);
    await em.control.put('/config', { version: '10.3.17' });
  });

  it('honours the context path in every self URL and 404s outside it', async () => {
    const issue = await jira.get('/rest/api/2/issue/CE-1');
    expect(issue.body.self.startsWith(`${em.baseUrl}/rest/api/2/`)).toBe(true);
    const outside = await jiraClient(new URL(em.baseUrl).origin).get('/rest/api/2/myself');
    expect(outside.status).toBe(404);
  });

  it('injects faults for a number of calls', async () => {
    await em.control.post('/faults', { path: '/rest/api/2/myself$', kind: 'html', status: 502, count: 1 });
    const faulted = await jira.get('/rest/api/2/myself');
    expect(faulted.status).toBe(502);
    expect(faulted.headers.get('content-type')).toMatch(/text\/html/);
    expect((await jira.get('/rest/api/2/myself')).status).toBe(200);
    await em.control.post('/faults', { path: '/rest/api/2/serverInfo$', kind: 'drop', count: 1 });
    await expect(jira.get('/rest/api/2/serverInfo')).rejects.toThrow();
  });
});

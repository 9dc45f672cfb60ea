import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { waitFor } from '../helpers/wait.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { assertContract } from '../helpers/contracts.ts';
import { refuseInserts } from '../helpers/refuse-inserts.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
const h = () => ({ authorization: server.auth });

const body = (overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) => ({
  element: { key: 'jiraonprem' },
  configuration: { username: 'jiradev', password: 'jiradev', siteAddress: jira.baseUrl, ...config },
  tags: ['Docs'],
  name: 'API Instance',
  ...overrides,
});
const create = (b: unknown, headers = h()) => call(`${server.api}/instances`, { method: 'POST', headers, json: b });
const countInstances = async () => (await call(`${server.api}/instances`, { headers: h() })).body.length;
const failedLogins = async (name: string) => (await jira.control.get(`/users/${name}`)).body.failedLogins;

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_VENDOR_TIMEOUT_MS: '1500' });
  jira = await withEmulator({ contextPath: '/jira', timeZone: 'Europe/Berlin' });
});
afterAll(async () => {
  await server.close();
  await jira.close();
});
beforeEach(async () => {
  await jira.control.delete('/faults');
  await jira.control.put('/config', { lockoutThreshold: 3, version: '10.3.17' });
  for (const u of ['admin', 'jiradev', 'kevin']) await jira.control.post(`/users/${u}/clear-lockout`);
});

describe('POST /instances', () => {
  it('creates an instance exactly as Open Connectors documents it', async () => {
    const res = await create(body());
    expect(res.status).toBe(200);
    assertContract('instance', res.body);
    const i = res.body;
    for (const f of [
      'id',
      'name',
      'createdDate',
      'token',
      'element',
      'elementId',
      'tags',
      'provisionInteractions',
      'valid',
      'disabled',
      'maxCacheSize',
      'cacheTimeToLive',
      'configuration',
      'eventsEnabled',
      'traceLoggingEnabled',
      'cachingEnabled',
      'externalAuthentication',
      'user',
    ]) {
      expect(i, f).toHaveProperty(f);
    }
    expect(i).toMatchObject({
      name: 'API Instance',
      valid: true,
      disabled: false,
      elementId: 5993,
      tags: ['Docs', 'API Instance'],
      element: { key: 'jiraonprem', hub: 'helpdesk', id: 5993, name: 'Jira On Prem' },
      configuration: { username: 'jiradev', password: '********', siteAddress: jira.baseUrl },
      eventsEnabled: false,
      externalAuthentication: 'none',
      user: { id: expect.any(Number), emailAddress: 'admin@switchboard.local', firstName: 'Admin', lastName: 'User' },
    });
    expect(i.token).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Number.isNaN(Date.parse(i.createdDate))).toBe(false);
    assertContract('element', i.element);
    expect(res.text).not.toContain('"jiradev","password":"jiradev"');
  });

  it('auto-tags with the sanitised name and strips HTML from names', async () => {
    const res = await create(body({ tags: undefined, name: '<a href="#" onClick="alert(1)">my-instance</a>' }));
    expect(res.body.name).toBe('my-instance');
    expect(res.body.tags).toEqual(['my-instance']);
    const listed = await call(`${server.api}/instances?tags[]=my-instance`, { headers: h() });
    expect(listed.body.map((x: any) => x.id)).toEqual([res.body.id]);
  });

  it('normalises siteAddress (trailing slash, context path kept) and accepts a personal access token', async () => {
    const pat = await fetch(`${jira.baseUrl}/rest/pat/latest/tokens`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('kevin:kevin').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'switchboard' }),
    }).then((r) => r.json() as Promise<{ rawToken: string }>);
    // Pasted with a line break: still the token. A space inside it cannot be.
    const res = await create({
      element: { key: 'jiraonprem' },
      name: 'pat',
      configuration: { personalAccessToken: `${pat.rawToken}\n`, siteAddress: `${jira.baseUrl}/` },
    });
    expect(res.status).toBe(200);
    const broken = await create({
      element: { key: 'jiraonprem' },
      name: 'pat',
      configuration: { personalAccessToken: `${pat.rawToken.slice(0, 5)} ${pat.rawToken.slice(5)}`, siteAddress: jira.baseUrl },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/without spaces or line breaks/);
    const colon = await create({
      element: { key: 'jiraonprem' },
      name: 'x',
      configuration: { username: 'ad:min', password: 'admin', siteAddress: jira.baseUrl },
    });
    expect(colon.status).toBe(400);
    expect(colon.body.message).toMatch(/cannot contain ":"/);
    expect(res.body.configuration).toEqual({ personalAccessToken: '********', siteAddress: jira.baseUrl });
    expect(res.text).not.toContain(pat.rawToken);
  });

  it('reads the Jira version with the proven credentials when a proxy refuses anonymous serverInfo', async () => {
    // A 9.x Jira behind a proxy that answers every anonymous call 401: the webhook must go to
    // 9.x's API, which only a known version can choose.
    await jira.control.put('/config', { version: '9.12.2', anonymousAccess: false });
    try {
      expect((await jira.jira.get('/rest/api/2/serverInfo', { auth: null })).status).toBe(401);
      const res = await create(
        body(
          { name: 'Behind a proxy' },
          {
            username: 'admin',
            password: 'admin',
            'event.notification.enabled': true,
            'event.notification.callback.url': 'http://127.0.0.1:9/hook',
            'event.vendor.type': 'webhook',
          },
        ),
      );
      expect(res.status).toBe(200);
      const hooks = await jira.jira.get('/rest/webhooks/1.0/webhook');
      expect(hooks.status).toBe(200);
      expect(hooks.body.map((hook: any) => hook.url)).toEqual([expect.stringContaining(`/events/jiraonprem/`)]);
      expect((await call(`${server.api}/instances/${res.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
    } finally {
      await jira.control.put('/config', { anonymousAccess: true });
    }
  });

  it('a create whose events cannot be set up leaves neither the instance nor its Jira webhook, so a retry makes one', async () => {
    const webhooks = async () => ((await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body as unknown[]).length;
    const withWebhook = body(
      { name: 'Events refused' },
      {
        username: 'admin',
        password: 'admin',
        'event.notification.enabled': true,
        'event.notification.callback.url': 'http://127.0.0.1:9/hook',
        'event.vendor.type': 'webhook',
      },
    );
    const before = { instances: await countInstances(), webhooks: await webhooks() };
    const lift = await refuseInserts(server, 'event_sources');
    let refused: Awaited<ReturnType<typeof create>>;
    try {
      refused = await create(withWebhook);
    } finally {
      await lift();
    }
    expect(refused.status).toBe(500);
    expect(await countInstances()).toBe(before.instances);
    // Registered at Jira before the store refused its row: removed again.
    expect(await webhooks()).toBe(before.webhooks);
    const made = await create(withWebhook);
    expect(made.status).toBe(200);
    expect(await countInstances()).toBe(before.instances + 1);
    expect(await webhooks()).toBe(before.webhooks + 1);
    expect((await call(`${server.api}/instances/${made.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
    expect(await webhooks()).toBe(before.webhooks);
  });

  it('works with the element given by numeric id and ignores unknown configuration keys', async () => {
    const res = await create(body({ element: { id: 5993 } }, { 'some.other.element.key': 'x', debug: true }));
    expect(res.status).toBe(200);
    expect(res.body.configuration).not.toHaveProperty('some.other.element.key');
  });

  it('stores nothing on any failure', async () => {
    const before = await countInstances();
    const missing = await create({ element: { key: 'jiraonprem' }, name: 'x', configuration: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('Missing required configuration: username, password, siteAddress');
    const partly = await create({ element: { key: 'jiraonprem' }, name: 'x', configuration: { username: 'a', siteAddress: '' } });
    expect(partly.body.message).toBe('Missing required configuration: password, siteAddress');
    expect((await create(body({ element: { key: 'nope' } }))).status).toBe(404);
    expect((await create(body({ element: { id: 999999999 } }))).status).toBe(404);
    expect((await create(body({ element: undefined }))).status).toBe(400);
    expect((await create(body({ name: undefined }))).body.message).toMatch(/body must have required property 'name'/);
    expect((await create(body({}, { siteAddress: 'ftp://jira.example.com' }))).body.message).toMatch(/http or https/);
    expect((await create(body({}, { siteAddress: `${jira.baseUrl}?x=1` }))).body.message).toMatch(/query or a fragment/);
    expect((await create(body({}, { 'event.notification.enabled': true, 'event.notification.callback.url': 'not a url' }))).status).toBe(400);
    expect((await create(body({}, { 'event.vendor.type': 'carrier-pigeon' }))).status).toBe(400);
    expect((await create(body({}, { 'event.poller.configuration': '{not json' }))).status).toBe(400);
    expect(await countInstances()).toBe(before);
  });
});

describe('provisioning failures', () => {
  it("a wrong password: 4xx with Jira's reason, and exactly one call to Jira", async () => {
    const before = await countInstances();
    const res = await create(body({}, { password: 'wrong' }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Invalid Jira credentials');
    expect(res.body.providerMessage).toContain('AUTHENTICATED_FAILED');
    expect(res.body.providerCode).toBe(401);
    expect(await failedLogins('jiradev')).toBe(1);
    expect(await countInstances()).toBe(before);
  });

  it('the CAPTCHA lockout gets its own message', async () => {
    for (let i = 0; i < 3; i++) await create(body({}, { password: 'wrong' }));
    const res = await create(body());
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Jira account locked by CAPTCHA: log in once through the Jira web UI/);
    expect(res.body.message).toContain('/login.jsp');
  });

  it('basic auth switched off (Jira 11) suggests a personal access token', async () => {
    await jira.control.put('/config', { version: '11.3.1' });
    const res = await create(body());
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/personal access token/);
  });

  it('unreachable hosts: DNS, refused, timeout, dropped connection; each names its cause', async () => {
    const dns = await create(body({}, { siteAddress: 'http://jira.does-not-exist.invalid' }));
    expect(dns.status).toBe(400);
    expect(dns.body.message).toMatch(/^Cannot reach siteAddress: the host name jira\.does-not-exist\.invalid does not resolve/);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const refused = await create(body({}, { siteAddress: `http://127.0.0.1:${port}` }));
    expect(refused.body.message).toMatch(/^Cannot reach siteAddress: the connection to 127\.0\.0\.1:\d+ was refused/);

    await jira.control.post('/faults', { path: 'serverInfo', kind: 'delay', delayMs: 3000, count: 1 });
    const slow = await create(body());
    expect(slow.status).toBe(400);
    expect(slow.body.message).toMatch(/did not answer within 2 seconds|did not answer within 1 seconds/);

    await jira.control.post('/faults', { path: 'serverInfo', kind: 'drop', count: 1 });
    const dropped = await create(body());
    expect(dropped.status).toBe(400);
    expect(dropped.body.message).toMatch(/^Cannot reach siteAddress: .*closed the connection/);
  });

  it('a URL that is not Jira: an HTML page or a 404', async () => {
    const html: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const res = await create(body({}, { siteAddress: `http://127.0.0.1:${(html.address() as { port: number }).port}` }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/does not answer like Jira Server or Data Center/);
    // Whatever answers at an address that is not Jira is described, never echoed.
    expect(res.body.providerMessage).toBe('HTTP 200 (text/html), not an answer of Jira');
    await new Promise((r) => html.close(r));
    const wrongContext = await create(body({}, { siteAddress: new URL(jira.baseUrl).origin }));
    expect(wrongContext.status).toBe(400);
    expect(wrongContext.body.message).toMatch(/context path/);
    expect(wrongContext.body.providerCode).toBe(404);
  });

  it('a Jira 5xx during provisioning is reported with its status', async () => {
    await jira.control.post('/faults', { path: 'myself', kind: 'html', status: 503, count: 1 });
    const res = await create(body());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ providerCode: 503, message: 'Jira answered the credentials check with HTTP 503' });
  });
});

describe('reading, updating and deleting', () => {
  it('lists with tags[], where, hydrate=false and paging headers', async () => {
    const a = (await create(body({ name: 'list-a', tags: ['blue'] }))).body;
    const b = (await create(body({ name: 'list-b', tags: ['green'] }))).body;
    const byTag = await call(`${server.api}/instances?tags[]=blue&tags[]=green`, { headers: h() });
    expect(byTag.body.map((x: any) => x.id)).toEqual([a.id, b.id]);
    const where = await call(`${server.api}/instances?where=${encodeURIComponent("name = 'list-b'")}`, { headers: h() });
    expect(where.body.map((x: any) => x.id)).toEqual([b.id]);
    expect((await call(`${server.api}/instances?where=${encodeURIComponent("password = 'x'")}`, { headers: h() })).status).toBe(400);
    const thin = await call(`${server.api}/instances?hydrate=false&tags[]=blue`, { headers: h() });
    expect(thin.body[0].element).toEqual({ id: 5993, key: 'jiraonprem', name: 'Jira On Prem', hub: 'helpdesk' });
    const page = await call(`${server.api}/instances?tags[]=blue&tags[]=green&page=1&pageSize=1`, { headers: h() });
    expect(page.body).toHaveLength(1);
    expect(page.headers.get('elements-total-count')).toBe('2');
    expect(page.headers.get('elements-next-page-token')).toBeTruthy();
    const next = await call(
      `${server.api}/instances?tags[]=blue&tags[]=green&pageSize=1&nextPage=${encodeURIComponent(page.headers.get('elements-next-page-token')!)}`,
      { headers: h() },
    );
    expect(next.body.map((x: any) => x.id)).toEqual([b.id]);
    expect(next.headers.get('elements-next-page-token')).toBeNull();
    const all = await call(`${server.api}/instances`, { headers: h() });
    assertContract('instances', all.body);
  });

  it('filters in the database with the CEQL of the in-memory lists: LIKE ignores case, tags match any of their values', async () => {
    const shouty = (await create(body({ name: 'SQL-Filter Alpha', tags: ['sql-red', 'sql-shared'] }))).body;
    const quiet = (await create(body({ name: 'sql-filter beta', tags: ['sql-blue', 'sql-shared'] }))).body;
    const ids = async (where: string) => {
      const res = await call(`${server.api}/instances?where=${encodeURIComponent(where)}`, { headers: h() });
      expect(res.status, res.text).toBe(200);
      return res.body.map((x: any) => x.id);
    };
    expect(await ids("name LIKE 'sql-filter%'")).toEqual([shouty.id, quiet.id]);
    expect(await ids("name LIKE '%ALPHA'")).toEqual([shouty.id]);
    expect(await ids("tags = 'sql-blue'")).toEqual([quiet.id]);
    expect(await ids("tags = 'sql-shared' AND tags != 'sql-red'")).toEqual([quiet.id]);
    expect(await ids("tags IN ('sql-red', 'nope') OR name = 'sql-filter beta'")).toEqual([shouty.id, quiet.id]);
    expect(await ids(`id = ${quiet.id} AND disabled = false AND valid = true AND element.key = 'jiraonprem'`)).toEqual([quiet.id]);
    // A backslash in a pattern is a character, not the database's escape.
    expect(await ids("name LIKE 'sql\\%'")).toEqual([]);
    // The pattern that took 23 s on a backtracking matcher.
    await create(body({ name: 'a'.repeat(60) }));
    expect(await ids("name LIKE '%a%a%a%a%a%a%a%a%b'")).toEqual([]);
    const unknown = await call(`${server.api}/instances?where=${encodeURIComponent("token = 'x'")}`, { headers: h() });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/cannot be filtered by token; use id, name, element.key, disabled, valid, tags/);
    const byId = await call(`${server.api}/instances?where=${encodeURIComponent("id = 'abc'")}`, { headers: h() });
    expect(byId.status).toBe(400);
  });

  it('searches names and tags (any case, % and _ as written) and sorts, paging every instance once', async () => {
    const made = [];
    for (const [name, tags] of [
      ['Sorted Charlie 100%', ['srt']],
      ['sorted alpha_x', ['srt']],
      ['Sorted Bravo', ['srt', 'Srt-Extra']],
      ['other a-x', ['srt-extra']],
    ] as const)
      made.push((await create(body({ name, tags: [...tags] }))).body);
    const list = async (query: string) => {
      const res = await call(`${server.api}/instances?${query}`, { headers: h() });
      expect(res.status, res.text).toBe(200);
      return res;
    };
    const names = async (query: string) => (await list(query)).body.map((x: any) => x.name);
    expect(await names('searchText=SORTED')).toEqual(['Sorted Charlie 100%', 'sorted alpha_x', 'Sorted Bravo']);
    expect(await names('searchText=%25')).toEqual(['Sorted Charlie 100%']);
    expect(await names('searchText=a_x')).toEqual(['sorted alpha_x']);
    expect(await names('searchText=SRT-EXTRA')).toEqual(['Sorted Bravo', 'other a-x']);
    expect(await names(`searchText=sorted&orderBy=${encodeURIComponent('name desc')}`)).toEqual(['Sorted Charlie 100%', 'Sorted Bravo', 'sorted alpha_x']);
    expect(await names('searchText=sorted&orderBy=name')).toEqual(['sorted alpha_x', 'Sorted Bravo', 'Sorted Charlie 100%']);
    expect(await names(`searchText=sorted&orderBy=${encodeURIComponent('createdDate desc')}`)).toEqual([
      'Sorted Bravo',
      'sorted alpha_x',
      'Sorted Charlie 100%',
    ]);

    // Page by page in one order: every instance once, the total on each page.
    const seen: number[] = [];
    let token: string | null = null;
    do {
      const res = await list(`pageSize=2&orderBy=name${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`);
      expect(Number(res.headers.get('elements-total-count'))).toBe((await list('')).body.length);
      seen.push(...res.body.map((x: any) => x.id));
      token = res.headers.get('elements-next-page-token');
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual((await list('')).body.map((x: any) => x.id).sort());
    // A token belongs to its query.
    const first = await list('pageSize=1&orderBy=name');
    const moved = await call(`${server.api}/instances?pageSize=1&orderBy=id&nextPage=${encodeURIComponent(first.headers.get('elements-next-page-token')!)}`, {
      headers: h(),
    });
    expect(moved.status).toBe(400);
    for (const bad of ['orderBy=token', `orderBy=${encodeURIComponent('name sideways')}`, 'searchText=']) {
      const res = await call(`${server.api}/instances?${bad}`, { headers: h() });
      expect(res.status, bad).toBe(400);
    }
  });

  it('gets, patches (merge) and puts (replace, keeping masked secrets)', async () => {
    const i = (await create(body({ name: 'upd' }))).body;
    const got = await call(`${server.api}/instances/${i.id}`, { headers: h() });
    expect(got.body.token).toBe(i.token);
    const patched = await call(`${server.api}/instances/${i.id}`, {
      method: 'PATCH',
      headers: h(),
      json: { name: '<b>renamed</b>', tags: ['t1'], traceLoggingEnabled: true, configuration: { 'filter.response.nulls': false } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'renamed',
      tags: ['t1'],
      traceLoggingEnabled: true,
      configuration: { username: 'jiradev', password: '********', 'filter.response.nulls': false },
    });
    const put = await call(`${server.api}/instances/${i.id}`, {
      method: 'PUT',
      headers: h(),
      json: { name: 'put', element: { key: 'jiraonprem' }, configuration: { ...patched.body.configuration }, tags: ['t2'] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'put', tags: ['t2'], configuration: { password: '********' } });
    expect(await failedLogins('jiradev')).toBe(0);
  });

  it('re-checks changed credentials against Jira and changes nothing when they fail', async () => {
    const i = (await create(body({ name: 'recheck' }))).body;
    const bad = await call(`${server.api}/instances/${i.id}`, {
      method: 'PATCH',
      headers: h(),
      json: { configuration: { username: 'kevin', password: 'wrong' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Invalid Jira credentials');
    expect((await call(`${server.api}/instances/${i.id}`, { headers: h() })).body.configuration.username).toBe('jiradev');
    const good = await call(`${server.api}/instances/${i.id}`, {
      method: 'PATCH',
      headers: h(),
      json: { configuration: { username: 'kevin', password: 'kevin' } },
    });
    expect(good.status).toBe(200);
    expect(good.body.configuration.username).toBe('kevin');
    const moved = await call(`${server.api}/instances/${i.id}`, {
      method: 'PATCH',
      headers: h(),
      json: { configuration: { siteAddress: 'http://127.0.0.1:1' } },
    });
    expect(moved.status).toBe(400);
  });

  it('reads and patches configuration entries, by id and by token', async () => {
    const i = (await create(body({ name: 'cfg' }))).body;
    const entries = await call(`${server.api}/instances/${i.id}/configuration`, { headers: h() });
    const byKey = Object.fromEntries(entries.body.map((e: any) => [e.key, e]));
    expect(byKey.password).toMatchObject({ propertyValue: '********', type: 'PASSWORD' });
    expect(byKey.username.propertyValue).toBe('jiradev');
    expect(byKey['filter.response.nulls'].propertyValue).toBe('true');
    for (const e of entries.body) expect(typeof e.propertyValue).toBe('string');
    const one = await call(`${server.api}/instances/${i.id}/configuration/${byKey.username.id}`, { headers: h() });
    expect(one.body.key).toBe('username');
    const patched = await call(`${server.api}/instances/${i.id}/configuration/${byKey['filter.response.nulls'].id}`, {
      method: 'PATCH',
      headers: h(),
      json: { ...byKey['filter.response.nulls'], propertyValue: 'false' },
    });
    expect(patched.body.propertyValue).toBe('false');
    const wrongPw = await call(`${server.api}/instances/${i.id}/configuration/${byKey.password.id}`, {
      method: 'PATCH',
      headers: h(),
      json: { ...byKey.password, propertyValue: 'nope' },
    });
    expect(wrongPw.status).toBe(400);
    const withToken = { authorization: `${server.auth}, Element ${i.token}` };
    const tokenEntries = await call(`${server.api}/instances/configuration`, { headers: withToken });
    expect(tokenEntries.body.find((e: any) => e.key === 'filter.response.nulls').propertyValue).toBe('false');
    expect((await call(`${server.api}/instances/configuration`, { headers: h() })).status).toBe(401);
  });

  it('enables, disables, updates and lists through the token-scoped and element-scoped forms', async () => {
    const i = (await create(body({ name: 'forms' }))).body;
    const withToken = { authorization: `${server.auth}, Element ${i.token}` };
    expect((await call(`${server.api}/instances/enabled`, { method: 'DELETE', headers: withToken })).body.disabled).toBe(true);
    expect((await call(`${server.api}/instances/${i.id}`, { headers: h() })).body.disabled).toBe(true);
    expect((await call(`${server.api}/instances/${i.id}/enabled`, { method: 'PUT', headers: h() })).body.disabled).toBe(false);
    expect((await call(`${server.api}/instances/${i.id}/enabled`, { method: 'DELETE', headers: h() })).body.disabled).toBe(true);
    expect((await call(`${server.api}/instances/enabled`, { method: 'PUT', headers: withToken })).body.disabled).toBe(false);
    expect((await call(`${server.api}/instances`, { method: 'PATCH', headers: withToken, json: { name: 'forms-2' } })).body.name).toBe('forms-2');

    const aliasGet = await call(`${server.api}/elements/jiraonprem/instances/${i.id}`, { headers: h() });
    expect(aliasGet.body.id).toBe(i.id);
    expect((await call(`${server.api}/elements/5993/instances/${i.id}`, { headers: h() })).body.id).toBe(i.id);
    const aliasList = await call(`${server.api}/elements/jiraonprem/instances`, { headers: h() });
    expect(aliasList.body.map((x: any) => x.id)).toContain(i.id);
    expect((await call(`${server.api}/elements/nope/instances`, { headers: h() })).status).toBe(404);
    const aliasCreate = await call(`${server.api}/elements/jiraonprem/instances`, {
      method: 'POST',
      headers: h(),
      json: { name: 'alias', configuration: body().configuration },
    });
    expect(aliasCreate.status).toBe(200);
    expect(aliasCreate.body.element.key).toBe('jiraonprem');
    expect(
      (await call(`${server.api}/elements/jiraonprem/instances/${aliasCreate.body.id}`, { method: 'PATCH', headers: h(), json: { name: 'alias-2' } })).body
        .name,
    ).toBe('alias-2');
    expect((await call(`${server.api}/elements/jiraonprem/instances/${aliasCreate.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
  });

  it('deletes with 200; the instance and its token are gone', async () => {
    const i = (await create(body({ name: 'gone' }))).body;
    const del = await call(`${server.api}/instances/${i.id}`, { method: 'DELETE', headers: { ...h(), 'content-type': 'application/json' }, body: 'null' });
    expect(del.status).toBe(200);
    expect((await call(`${server.api}/instances/${i.id}`, { headers: h() })).status).toBe(404);
    expect((await call(`${server.api}/instances/configuration`, { headers: { authorization: `${server.auth}, Element ${i.token}` } })).status).toBe(401);
    expect((await call(`${server.api}/instances/${i.id}`, { method: 'DELETE', headers: h() })).status).toBe(404);
  });
});

describe('tenancy and secrets', () => {
  it("one organization never sees or touches another's instances or tokens", async () => {
    const mine = (await create(body({ name: 'mine' }))).body;
    const other = await server.services.tenancy.createOrganization({ name: 'Other', adminEmail: 'other-instances@example.com' });
    const theirs = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await call(`${server.api}/instances/${mine.id}`, { headers: theirs })).status).toBe(404);
    expect((await call(`${server.api}/instances/${mine.id}`, { method: 'DELETE', headers: theirs })).status).toBe(404);
    expect((await call(`${server.api}/instances/${mine.id}`, { method: 'PATCH', headers: theirs, json: { name: 'x' } })).status).toBe(404);
    expect((await call(`${server.api}/instances`, { headers: theirs })).body).toEqual([]);
    expect((await call(`${server.api}/instances/configuration`, { headers: { authorization: `${theirs.authorization}, Element ${mine.token}` } })).status).toBe(
      401,
    );
    expect((await call(`${server.api}/instances/${mine.id}`, { headers: h() })).body.name).toBe('mine');
  });

  it("account users see only their account's instances", async () => {
    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'inst-acct@example.com' } });
    const user = await call(`${server.api}/accounts/${account.body.id}/users`, { method: 'POST', headers: h(), json: { email: 'inst-user@example.com' } });
    const theirs = { authorization: `User ${user.body.secret}, Organization ${server.admin.organizationSecret}` };
    const own = (await create(body({ name: 'account-owned' }), theirs)).body;
    const adminOwned = (await create(body({ name: 'admin-owned' }))).body;
    const list = await call(`${server.api}/instances`, { headers: theirs });
    expect(list.body.map((x: any) => x.id)).toEqual([own.id]);
    expect((await call(`${server.api}/instances/${adminOwned.id}`, { headers: theirs })).status).toBe(404);
    expect((await call(`${server.api}/instances/${own.id}`, { headers: h() })).status).toBe(200);
  });

  it("deleting an account or a user deletes their instances as DELETE /instances does, without waiting for Jira: the worker removes each one's webhook", async () => {
    // Jira 10's webhook API (the emulator's version here), whose administrator registers them.
    const webhooks = async () => ((await jira.jira.get('/rest/jira-webhook/1.0/webhooks')).body as { url: string }[]).map((w) => w.url);
    const ofInstance = (id: number) => `/events/jiraonprem/${Buffer.from(String(id)).toString('base64')}/`;
    const withWebhook = (name: string) =>
      body(
        { name },
        {
          username: 'admin',
          password: 'admin',
          'event.notification.enabled': true,
          'event.notification.callback.url': 'http://127.0.0.1:9/hook',
          'event.vendor.type': 'webhook',
        },
      );
    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'gone-acct@example.com' } });
    const member = await call(`${server.api}/accounts/${account.body.id}/users`, { method: 'POST', headers: h(), json: { email: 'gone-member@example.com' } });
    const asMember = { authorization: `User ${member.body.secret}, Organization ${server.admin.organizationSecret}` };
    const user = await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'gone-user@example.com' } });
    const asUser = { authorization: `User ${user.body.secret}, Organization ${server.admin.organizationSecret}` };
    const inAccount = (await create(withWebhook('in the account'), asMember)).body;
    const byUser = (await create(withWebhook('by the user'), asUser)).body;
    const kept = (await create(withWebhook('kept'))).body;
    for (const i of [inAccount, byUser, kept]) expect((await webhooks()).some((url) => url.includes(ofInstance(i.id)))).toBe(true);

    // Jira slow to remove a webhook: the deletions answer before it has, and the worker waits for it.
    await jira.control.post('/faults', { path: '/rest/jira-webhook/1.0/webhooks/\\d+', method: 'DELETE', kind: 'delay', delayMs: 5000, count: 2 });
    try {
      expect((await call(`${server.api}/accounts/${account.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
      expect((await call(`${server.api}/users/${user.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
      for (const gone of [inAccount, byUser]) {
        expect((await call(`${server.api}/instances/${gone.id}`, { headers: h() })).status).toBe(404);
        expect((await webhooks()).some((url) => url.includes(ofInstance(gone.id)))).toBe(true);
      }
      await waitFor(async () => !(await webhooks()).some((url) => url.includes(ofInstance(inAccount.id)) || url.includes(ofInstance(byUser.id))), 15_000);
    } finally {
      await jira.control.delete('/faults');
    }
    expect((await webhooks()).some((url) => url.includes(ofInstance(kept.id)))).toBe(true);
    expect((await call(`${server.api}/instances/${kept.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
  });

  it('never stores or shows the Jira password or the token in plain text', async () => {
    const password = 'S3cret-Pa55-unique';
    await jira.jira.post('/rest/api/2/user', { name: 'secretive', password, emailAddress: 's@example.com', displayName: 'Secretive' });
    const res = await create(body({ name: 'plain' }, { username: 'secretive', password }));
    expect(res.status).toBe(200);
    const rows = await server.store.db.selectFrom('instances').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(res.body.token);
    expect(dump).not.toContain(password);
    for (const path of ['/instances', `/instances/${res.body.id}`, `/instances/${res.body.id}/configuration`]) {
      expect((await call(`${server.api}${path}`, { headers: h() })).text).not.toContain(password);
    }
  });
});

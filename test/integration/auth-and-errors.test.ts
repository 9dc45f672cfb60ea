import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let other: { userSecret: string; organizationSecret: string };

beforeAll(async () => {
  server = await startTestServer();
  const created = await server.services.tenancy.createOrganization({ name: 'Other Org', adminEmail: 'other@example.com' });
  other = { userSecret: created.userSecret, organizationSecret: created.organizationSecret };
});
afterAll(async () => {
  await server.close();
});

const accounts = () => `${server.api}/accounts`;

describe('the Authorization header', () => {
  it('accepts the parts in any order, any keyword case and with extra spaces', async () => {
    const { userSecret: u, organizationSecret: o } = server.admin;
    for (const header of [
      `User ${u}, Organization ${o}`,
      `Organization ${o}, User ${u}`,
      `  user   ${u} ,organization ${o}  `,
      `User ${u},Organization ${o}, Element fJ5HQ135fW4okMt5AWq0hzm2X7kaK5OpQB0Uxjvlz6U=`,
    ]) {
      const res = await call(accounts(), { headers: { authorization: header } });
      expect(res.status, header).toBe(200);
    }
  });

  it('refuses malformed, partial, repeated and unknown parts with 401 and the error body', async () => {
    const { userSecret: u, organizationSecret: o } = server.admin;
    const cases: [string, RegExp][] = [
      [`User ${u}`, /User and Organization/],
      [`Organization ${o}`, /User and Organization/],
      [`User ${u}, Organization`, /not of the form/],
      [`User ${u},, Organization ${o}`, /not of the form/],
      [`User ${u}, User ${u}, Organization ${o}`, /repeats/],
      [`Bearer ${u}, Organization ${o}`, /Unknown Authorization kind/],
      [`User ${u} extra, Organization ${o}`, /not of the form/],
      [`Basic dXNlcjpwYXNz`, /Unknown Authorization kind/],
      [`User <script>, Organization ${o}`, /characters no secret has/],
      ['', /not of the form/],
    ];
    for (const [header, message] of cases) {
      const res = await call(accounts(), { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.body.message, header).toMatch(message);
      expect(res.body.requestId).toMatch(/^[0-9a-f]{24}$/);
      expect(res.text).not.toContain(u);
    }
  });

  it('refuses wrong secrets, secrets of another organization, and a token used as a secret', async () => {
    const { userSecret: u, organizationSecret: o } = server.admin;
    const cases = [
      `User ${u}, Organization 00000000000000000000000000000000`,
      `User AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, Organization ${o}`,
      `User ${u}, Organization ${other.organizationSecret}`,
      `User ${other.userSecret}, Organization ${o}`,
      `User ${o}, Organization ${u}`,
      `Element ${u}, Organization ${o}`,
    ];
    for (const header of cases) {
      const res = await call(accounts(), { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.body.message).toMatch(/invalid element token, user secret and\/or org secret|User and Organization/);
    }
  });

  it('lets each organization see only its own accounts', async () => {
    const mine = await call(accounts(), { headers: { authorization: server.auth } });
    const theirs = await call(accounts(), { headers: { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` } });
    expect(mine.body).toHaveLength(1);
    expect(theirs.body).toHaveLength(1);
    expect(mine.body[0].id).not.toBe(theirs.body[0].id);
    const cross = await call(`${accounts()}/${theirs.body[0].id}`, { headers: { authorization: server.auth } });
    expect(cross.status).toBe(404);
  });
});

describe('errors', () => {
  it('puts Elements-Request-Id on every response, equal to requestId in error bodies', async () => {
    const ok = await call(`${server.api}/elements`);
    expect(ok.headers.get('elements-request-id')).toMatch(/^[0-9a-f]{24}$/);
    const missing = await call(`${server.api}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ requestId: missing.headers.get('elements-request-id'), message: expect.stringContaining('No resource') });
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const res = await call(`${server.api}/elements/keys`, { method: 'DELETE', headers: { authorization: server.auth } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body.message).toMatch(/DELETE is not allowed/);
  });

  it('answers 400 for invalid JSON and 415 for an unsupported content type, changing nothing', async () => {
    const bad = await call(accounts(), {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/json' },
      body: '{"externalId": ',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('The request body is not valid JSON');
    const xml = await call(accounts(), { method: 'POST', headers: { authorization: server.auth, 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    const proto = await call(accounts(), {
      method: 'POST',
      headers: { authorization: server.auth, 'content-type': 'application/json' },
      body: '{"__proto__": {"x": 1}, "externalId": "p"}',
    });
    expect(proto.status).toBe(400);
    const list = await call(accounts(), { headers: { authorization: server.auth } });
    expect(list.body).toHaveLength(1);
  });

  it('answers 413 to a 10 MB body without reading it into a 500', async () => {
    const big = JSON.stringify({ externalId: 'x'.repeat(10 * 1024 * 1024) });
    const res = await call(accounts(), { method: 'POST', headers: { authorization: server.auth, 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/too large/);
  });

  it('accepts DELETE with Content-Type application/json and an empty body or the literal null', async () => {
    const created = await call(accounts(), { method: 'POST', headers: { authorization: server.auth }, json: { externalId: 'to-delete@example.com' } });
    expect(created.status).toBe(200);
    const del = await call(`${accounts()}/${created.body.id}`, {
      method: 'DELETE',
      headers: { authorization: server.auth, 'content-type': 'application/json' },
      body: '',
    });
    expect(del.status).toBe(200);
    const again = await call(accounts(), { method: 'POST', headers: { authorization: server.auth }, json: { externalId: 'to-delete2@example.com' } });
    const delNull = await call(`${accounts()}/${again.body.id}`, {
      method: 'DELETE',
      headers: { authorization: server.auth, 'content-type': 'application/json' },
      body: 'null',
    });
    expect(delNull.status).toBe(200);
  });

  it('rejects SQL-looking path parameters precisely and leaves the store unchanged', async () => {
    // An id that is not a positive integer names no resource: 404, as Open Connectors answers.
    for (const id of ["1'%20OR%20'1'='1", '1;DROP%20TABLE%20accounts', '-1', '0', '1e3']) {
      const res = await call(`${accounts()}/${id}`, { headers: { authorization: server.auth } });
      expect(res.status, id).toBe(404);
      expect(res.body.message, id).toMatch(/No such resource: params\/id must match pattern|No account found with ID 0/);
    }
    for (const path of ['/organizations/users/-1', '/organizations/users/0', '/instances/-1', '/instances/0', '/accounts/-1/users', '/instances/abc/events']) {
      const res = await call(`${server.api}${path}`, { headers: { authorization: server.auth } });
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ requestId: expect.any(String), message: expect.any(String) });
    }
    const user = await call(`${server.api}/users/${encodeURIComponent("admin@switchboard.local' OR 1=1 --")}`, { headers: { authorization: server.auth } });
    expect(user.status).toBe(404);
    expect((await call(accounts(), { headers: { authorization: server.auth } })).status).toBe(200);
  });

  it('never answers with a stack trace', async () => {
    const responses = await Promise.all([
      call(`${server.api}/accounts/abc`, { headers: { authorization: server.auth } }),
      call(`${server.api}/accounts`, { method: 'POST', headers: { authorization: server.auth }, json: [1, 2] }),
      call(`${server.api}/accounts`, { method: 'POST', headers: { authorization: server.auth }, json: { externalId: 42 } }),
      call(`${server.api}/organizations/users`, { method: 'POST', headers: { authorization: server.auth }, json: {} }),
    ]);
    for (const res of responses) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(/at .*\.ts:\d+|node_modules/);
    }
  });
});

describe('CORS', () => {
  it('exposes the Elements-* headers and answers preflight requests', async () => {
    const res = await call(`${server.api}/elements`, { headers: { origin: 'https://app.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-expose-headers')).toBe(
      'Elements-Returned-Count, Elements-Total-Count, Elements-Request-Id, Elements-Next-Page-Token, Elements-Trace-Id, Elements-Error, Elements-Cache, Content-Disposition',
    );
    const preflight = await call(`${server.api}/accounts/7`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });
});

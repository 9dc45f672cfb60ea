import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_LOGIN_SLOWDOWN_AFTER: '2', SWITCHBOARD_LOGIN_LOCKOUT_AFTER: '4', SWITCHBOARD_LOGIN_LOCKOUT_MINUTES: '10' });
});
afterAll(async () => {
  await server.close();
});

const form = (email: string, password: string) => new URLSearchParams({ j_username: email, j_password: password }).toString();
const login = (email: string, password: string) =>
  call(`${server.origin}/elements/j_spring_security_check`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(email, password),
    redirect: 'manual',
  });

describe('legacy console login', () => {
  it('signs in with e-mail and password, hands out the secrets, and signs out', async () => {
    const res = await login(server.admin.adminEmail, server.admin.adminPassword);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^JSESSIONID=[^;]+;/);
    expect(setCookie).toMatch(/HttpOnly/i);
    const cookie = setCookie.split(';')[0]!;

    const secrets = await call(`${server.origin}/elements/api-v1/ui/getSecrets`, { headers: { cookie } });
    expect(secrets.status).toBe(200);
    expect(secrets.body).toEqual({ user: server.admin.userSecret, company: server.admin.organizationSecret });
    const api = await call(`${server.origin}/elements/api-v2/accounts`, {
      headers: { authorization: `User ${secrets.body.user}, Organization ${secrets.body.company}` },
    });
    expect(api.status).toBe(200);

    const out = await call(`${server.origin}/elements/j_spring_security_logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(200);
    expect((await call(`${server.origin}/elements/api-v1/ui/getSecrets`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses getSecrets without a session, with a forged cookie and after the session expires', async () => {
    expect((await call(`${server.origin}/elements/api-v1/ui/getSecrets`)).status).toBe(401);
    expect((await call(`${server.origin}/elements/api-v1/ui/getSecrets`, { headers: { cookie: 'JSESSIONID=forged' } })).status).toBe(401);
    const res = await login(server.admin.adminEmail, server.admin.adminPassword);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    server.clock.advance(61 * 60_000);
    const expired = await call(`${server.origin}/elements/api-v1/ui/getSecrets`, { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/sign in/);
  });

  it("authenticates the console's own calls by the session cookie, and no other call", async () => {
    const res = await login(server.admin.adminEmail, server.admin.adminPassword);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const host = new URL(server.origin).host;
    const asConsole = (path: string, extra: Record<string, string> = {}) =>
      call(`${server.origin}/elements/api-v2${path}`, { headers: { cookie, 'x-switchboard-console': '1', ...extra } });

    const me = await call(`${server.origin}/elements/api-v1/ui/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(server.admin.adminEmail);
    expect((await asConsole('/accounts')).status).toBe(200);
    expect((await asConsole('/accounts', { origin: `http://${host}` })).status).toBe(200);
    // A page of another origin (any host, or this host on another port) gets no session.
    expect((await asConsole('/accounts', { origin: 'http://evil.example' })).status).toBe(401);
    expect((await asConsole('/accounts', { origin: `http://${host.split(':')[0]}:1` })).status).toBe(401);
    expect((await asConsole('/accounts', { origin: 'http://evil.example', 'sec-fetch-site': 'same-site' })).status).toBe(401);
    // Behind a proxy that passes on its own Host, the browser's Sec-Fetch-Site still says "same origin".
    expect((await asConsole('/accounts', { origin: 'https://switchboard.example', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Without the console's header the cookie is not credentials: a cross-site form cannot send it.
    expect((await call(`${server.origin}/elements/api-v2/accounts`, { headers: { cookie } })).status).toBe(401);
    // A hub call still names its instance.
    const hub = await asConsole('/hubs/helpdesk/incidents');
    expect(hub.status).toBe(401);
    expect(hub.body.message).toMatch(/Element <token>/);
    expect((await asConsole('/hubs/helpdesk/incidents', { authorization: 'Element not-a-token' })).status).toBe(401);

    // Secrets in the header are used as given, whatever the session.
    const other = await call(`${server.origin}/elements/api-v2/accounts`, {
      headers: { cookie, 'x-switchboard-console': '1', authorization: 'User wrong, Organization wrong' },
    });
    expect(other.status).toBe(401);

    await call(`${server.origin}/elements/j_spring_security_logout`, { method: 'POST', headers: { cookie } });
    const ended = await asConsole('/accounts');
    expect(ended.status).toBe(401);
    expect(ended.body.message).toMatch(/sign in/);
    expect((await call(`${server.origin}/elements/api-v1/ui/session`, { headers: { cookie } })).status).toBe(401);

    const again = await login(server.admin.adminEmail, server.admin.adminPassword);
    const fresh = (again.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await call(`${server.origin}/elements/api-v2/accounts`, { headers: { cookie: fresh, 'x-switchboard-console': '1' } })).status).toBe(200);
    server.clock.advance(61 * 60_000);
    expect((await call(`${server.origin}/elements/api-v2/accounts`, { headers: { cookie: fresh, 'x-switchboard-console': '1' } })).status).toBe(401);
  });

  it('answers 401 for a wrong password or unknown e-mail, then slows down, then refuses for a while', async () => {
    const created = await server.services.tenancy.createOrganization({
      name: 'Throttle Org',
      adminEmail: 'victim@example.com',
      adminPassword: 'right-password-1',
    });
    expect(created.user.email).toBe('victim@example.com');
    const bad = await login('victim@example.com', 'wrong-password');
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe('Invalid e-mail or password');
    expect((await login('nobody@example.com', 'whatever-1')).status).toBe(401);

    await login('victim@example.com', 'wrong-password');
    const started = Date.now();
    await login('victim@example.com', 'wrong-password');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await login('victim@example.com', 'wrong-password');

    const locked = await login('victim@example.com', 'right-password-1');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(500);
    server.clock.advance(11 * 60_000);
    const after = await login('victim@example.com', 'right-password-1');
    expect(after.status).toBe(200);
  });

  it('checks no more passwords than the limit when 60 wrong ones arrive at once', async () => {
    await server.services.tenancy.createOrganization({ name: 'Race Org', adminEmail: 'raced@example.com', adminPassword: 'right-password-1' });
    const answers = await Promise.all(Array.from({ length: 60 }, () => login('raced@example.com', 'wrong-password')));
    const statuses = answers.map((a) => a.status);
    // Each 401 is one password checked; the limit is 4.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect((await login('raced@example.com', 'right-password-1')).status).toBe(429);
  });

  it('rejects a login without the form fields with 400', async () => {
    const res = await call(`${server.origin}/elements/j_spring_security_check`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'j_username=a',
    });
    expect(res.status).toBe(400);
  });
});

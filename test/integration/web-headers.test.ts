import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

let direct: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  direct = await startTestServer();
  proxied = await startTestServer({ SWITCHBOARD_TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => {
  await direct.close();
  await proxied.close();
});

const login = (server: TestServer, headers: Record<string, string> = {}) =>
  call(`${server.origin}/elements/j_spring_security_check`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ j_username: server.admin.adminEmail, j_password: server.admin.adminPassword }).toString(),
    redirect: 'manual',
  });

describe('web hygiene headers', () => {
  it('every API answer says nosniff, no-referrer and no-store, secrets and errors alike', async () => {
    const cookie = ((await login(direct)).headers.get('set-cookie') ?? '').split(';')[0]!;
    const answers = [
      await call(`${direct.origin}/elements/api-v1/ui/getSecrets`, { headers: { cookie } }),
      await call(`${direct.api}/instances`, { headers: { authorization: direct.auth } }),
      await call(`${direct.api}/users`, { headers: { authorization: direct.auth } }),
      await call(`${direct.api}/instances`),
      await call(`${direct.api}/no-such-route`, { headers: { authorization: direct.auth } }),
    ];
    expect(answers[0]!.status).toBe(200);
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('marks the session cookie Secure behind a trusted TLS proxy, and only then', async () => {
    expect((await login(direct, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    expect((await login(proxied)).headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    expect((await login(proxied, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });
});

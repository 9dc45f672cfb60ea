import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
const h = () => ({ authorization: server.auth });
const policies = () => `${server.api}/organizations/password-policies`;
const DEFAULTS = {
  minLength: 8,
  minUppercase: 0,
  minLowercase: 0,
  minNumbers: 0,
  minSymbols: 0,
  symbolCharacterSet: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  previousPasswordCount: 0,
  expirationDays: 0,
};

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const newUser = (email: string, password: string) =>
  call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email, firstName: 'P', lastName: 'W', password } });

describe('password policies', () => {
  it('are set by org admins, checked on every password set, named in the refusal, and cleared back to the default', async () => {
    const before = await newUser('before@example.com', 'plain-enough');
    expect(before.status).toBe(200);
    expect((await call(policies(), { headers: h() })).body).toEqual(DEFAULTS);

    // An admin of another account reads the rules, but may not change them.
    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'pw@example.com' } });
    const other = await call(`${server.api}/accounts/${account.body.id}/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'account-admin@example.com', password: 'account-admin-1' },
    });
    const otherAuth = { authorization: `User ${other.body.secret}, Organization ${server.admin.organizationSecret}` };
    expect((await call(policies(), { headers: otherAuth })).body).toEqual(DEFAULTS);
    const refused = await call(policies(), { method: 'PUT', headers: otherAuth, json: { minLength: 20 } });
    expect(refused.status).toBe(403);
    expect((await call(policies(), { method: 'DELETE', headers: otherAuth })).status).toBe(403);

    const set = await call(policies(), { method: 'PUT', headers: h(), json: { minLength: 12, minUppercase: 1, minNumbers: 2, minSymbols: 1 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ ...DEFAULTS, minLength: 12, minUppercase: 1, minNumbers: 2, minSymbols: 1 });
    expect((await call(policies(), { headers: otherAuth })).body).toEqual(set.body);

    const cases: [string, RegExp][] = [
      ['Sh0rt!', /^A password must be at least 12 characters long$/],
      ['no-capitals-here-12', /at least 1 uppercase letter$/],
      ['One-digit-only-1', /at least 2 numeric characters$/],
      ['NoSymbolsButDigits12', /at least 1 special character of !"#/],
    ];
    for (const [password, message] of cases) {
      const res = await newUser('weak@example.com', password);
      expect(res.status, password).toBe(400);
      expect(res.body).toEqual({ requestId: expect.any(String), message: expect.stringMatching(message) });
    }
    const strong = await newUser('strong@example.com', 'Strong-enough-12');
    expect(strong.status).toBe(200);

    // A change of password meets the rules too; a password set before them stays valid.
    const weakChange = await call(`${server.api}/organizations/users/${before.body.id}`, { method: 'PATCH', headers: h(), json: { password: 'still-plain' } });
    expect(weakChange.status).toBe(400);
    expect(weakChange.body.message).toMatch(/at least 12 characters/);
    const reveal = (password: string) => call(`${server.api}/users/${before.body.id}`, { headers: { ...h(), 'elements-user-password': password } });
    expect((await reveal('plain-enough')).body.secret).toBe(before.body.secret);
    const changed = await call(`${server.api}/organizations/users/${before.body.id}`, { method: 'PATCH', headers: h(), json: { password: 'Changed-pass-99' } });
    expect(changed.status).toBe(200);
    expect((await reveal('Changed-pass-99')).body.secret).toBe(before.body.secret);

    const cleared = await call(policies(), { method: 'DELETE', headers: h() });
    expect(cleared.body).toEqual(DEFAULTS);
    expect((await newUser('plain-again@example.com', 'plain-enough')).status).toBe(200);
    expect((await newUser('too-short@example.com', 'short')).body.message).toBe('A password must be at least 8 characters long');
  });

  it("takes Open Connectors' own policy object, and refuses rules it would not enforce", async () => {
    const openConnectors = {
      minLength: 8,
      minUppercase: 0,
      minLowercase: 1,
      minNumbers: 0,
      minSymbols: 0,
      symbolCharacterSet: '!"?$%^&*()_-+={[}]:;@\'~#|\\<,>?/.',
      previousPasswordCount: 0,
      expirationDays: 100000,
    };
    const taken = await call(policies(), { method: 'PUT', headers: h(), json: openConnectors });
    expect(taken.status).toBe(200);
    expect(taken.body).toEqual(openConnectors);
    const refusals: [unknown, RegExp][] = [
      [{ minLength: 4 }, /body\/minLength must be >= 8/],
      [{ previousPasswordCount: 3 }, /body\/previousPasswordCount must be <= 0/],
      [{ expirationDays: 90 }, /Passwords do not expire here/],
      [{ minUppercase: 64, minLowercase: 64, minNumbers: 64, minSymbols: 64 }, /asks for 256 characters/],
      [{ minSymbols: 1, symbolCharacterSet: '!a' }, /no letters or digits/],
      [{ minLength: 12, lockoutMinutes: 5 }, /must NOT have additional properties: "lockoutMinutes"/],
    ];
    for (const [body, message] of refusals) {
      const res = await call(policies(), { method: 'PUT', headers: h(), json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    // A refused policy changes nothing.
    expect((await call(policies(), { headers: h() })).body).toEqual(openConnectors);

    // Each organization has its own rules.
    const b = await server.services.tenancy.createOrganization({ name: 'Other', adminEmail: 'other-org@example.com' });
    const bAuth = { authorization: `User ${b.userSecret}, Organization ${b.organizationSecret}` };
    expect((await call(policies(), { headers: bAuth })).body).toEqual(DEFAULTS);
    await call(policies(), { method: 'PUT', headers: bAuth, json: { minLength: 30 } });
    expect((await call(policies(), { headers: h() })).body).toEqual(openConnectors);
    await call(policies(), { method: 'DELETE', headers: h() });
  });
});

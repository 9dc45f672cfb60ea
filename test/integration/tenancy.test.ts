import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { assertContract } from '../helpers/contracts.ts';

let server: TestServer;
const h = () => ({ authorization: server.auth });

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('accounts', () => {
  it('has a default account, creates, reads, filters, pages, updates and deletes accounts', async () => {
    const initial = await call(`${server.api}/accounts`, { headers: h() });
    expect(initial.body).toHaveLength(1);
    expect(initial.body[0]).toMatchObject({ defaultAccount: true, type: 'Default' });
    assertContract('account', initial.body[0]);

    const created = await call(`${server.api}/accounts`, {
      method: 'POST',
      headers: h(),
      json: { externalId: 'acme@example.com', name: 'Acme', description: 'Customer' },
    });
    expect(created.status).toBe(200);
    assertContract('account', created.body);
    expect(created.body).toMatchObject({ name: 'Acme', externalId: 'acme@example.com', defaultAccount: false, type: 'CompanyAccount', active: true });
    expect(Number.isNaN(Date.parse(created.body.createdDate))).toBe(false);

    await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'globex@example.com', name: 'Globex' } });
    const dup = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'acme@example.com' } });
    expect(dup.status).toBe(409);
    const missing = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { name: 'no external id' } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('externalId is required');

    const filtered = await call(`${server.api}/accounts?where=${encodeURIComponent("name = 'Globex'")}`, { headers: h() });
    expect(filtered.body.map((a: any) => a.name)).toEqual(['Globex']);
    const like = await call(`${server.api}/accounts?where=${encodeURIComponent("externalId LIKE '%@example.com' AND defaultAccount = false")}`, {
      headers: h(),
    });
    expect(like.body).toHaveLength(2);
    const paged = await call(`${server.api}/accounts?offset=1&pageSize=1`, { headers: h() });
    expect(paged.body.map((a: any) => a.name)).toEqual(['Acme']);
    const badWhere = await call(`${server.api}/accounts?where=${encodeURIComponent("name = 'x' AND")}`, { headers: h() });
    expect(badWhere.status).toBe(400);
    expect(badWhere.body.message).toMatch(/position 14/);

    const patched = await call(`${server.api}/accounts/${created.body.id}`, { method: 'PATCH', headers: h(), json: { description: 'Changed' } });
    expect(patched.body).toMatchObject({ description: 'Changed', name: 'Acme' });
    expect((await call(`${server.api}/accounts/${created.body.id}`, { headers: h() })).body.description).toBe('Changed');

    expect((await call(`${server.api}/accounts/${created.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
    expect((await call(`${server.api}/accounts/${created.body.id}`, { headers: h() })).status).toBe(404);
    expect((await call(`${server.api}/accounts/999999`, { method: 'PATCH', headers: h(), json: {} })).status).toBe(404);
    expect((await call(`${server.api}/accounts/${initial.body[0].id}`, { method: 'DELETE', headers: h() })).status).toBe(400);
  });

  it('creates account users whose secret works, and who may not use the Accounts API', async () => {
    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'initech@example.com' } });
    const user = await call(`${server.api}/accounts/${account.body.id}/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'Peter@Initech.example', firstName: 'Peter', lastName: 'Gibbons', password: 'tps-reports-1' },
    });
    expect(user.status).toBe(200);
    assertContract('user', user.body);
    expect(user.body.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(user.body.email).toBe('peter@initech.example');
    expect(user.body.roles).toEqual([{ key: 'admin' }]);

    const list = await call(`${server.api}/accounts/${account.body.id}/users`, { headers: h() });
    expect(list.body.map((u: any) => u.email)).toEqual(['peter@initech.example']);
    expect(list.body[0]).not.toHaveProperty('secret');
    const byEmail = await call(`${server.api}/accounts/${account.body.id}/users/peter@initech.example`, { headers: h() });
    expect(byEmail.body.id).toBe(user.body.id);

    const peter = { authorization: `User ${user.body.secret}, Organization ${server.admin.organizationSecret}` };
    const denied = await call(`${server.api}/accounts`, { headers: peter });
    expect(denied.status).toBe(401);
    expect(denied.body.message).toMatch(/default account/);
    const self = await call(`${server.api}/users/${user.body.id}`, { headers: peter });
    expect(self.body.email).toBe('peter@initech.example');
    const admin = await call(`${server.api}/users/admin@switchboard.local`, { headers: peter });
    expect(admin.status).toBe(404);
    const orgUsers = await call(`${server.api}/organizations/users`, { headers: peter });
    expect(orgUsers.status).toBe(403);
  });
});

describe('organization users', () => {
  it('creates users with a secret, rejects duplicates (409) and empty bodies (400), filters with where', async () => {
    const created = await call(`${server.api}/organizations/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'sam@example.com', firstName: 'Sam', lastName: 'Vimes', password: 'night-watch-1' },
    });
    expect(created.status).toBe(200);
    assertContract('user', created.body);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'SAM@example.com' } })).status).toBe(409);
    expect((await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: {} })).status).toBe(400);
    expect((await call(`${server.api}/organizations/users`, { method: 'POST', headers: h() })).status).toBe(400);
    expect((await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'not-an-email' } })).status).toBe(400);
    expect(
      (await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'x@example.com', roles: [{ key: 'sys-admin' }] } }))
        .status,
    ).toBe(400);

    const filtered = await call(`${server.api}/organizations/users?where=${encodeURIComponent("firstName='Sam'")}`, { headers: h() });
    expect(filtered.body.map((u: any) => u.email)).toEqual(['sam@example.com']);
    expect(filtered.body[0]).not.toHaveProperty('secret');

    const patched = await call(`${server.api}/organizations/users/sam@example.com`, { method: 'PATCH', headers: h(), json: { lastName: 'Vimes-Ramkin' } });
    expect(patched.body).toMatchObject({ lastName: 'Vimes-Ramkin', fullName: 'Sam Vimes-Ramkin' });
    expect((await call(`${server.api}/organizations/users/nobody@example.com`, { headers: h() })).status).toBe(404);
  });

  it("reveals a user secret only with that user's password in elements-user-password", async () => {
    const created = await call(`${server.api}/organizations/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'reveal@example.com', firstName: 'R', lastName: 'V', password: 'correct-horse-1' },
    });
    const plain = await call(`${server.api}/users/reveal@example.com`, { headers: h() });
    expect(plain.body).not.toHaveProperty('secret');
    const wrong = await call(`${server.api}/users/reveal@example.com`, { headers: { ...h(), 'elements-user-password': 'nope-nope-1' } });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toContain(created.body.secret);
    const right = await call(`${server.api}/users/${created.body.id}`, { headers: { ...h(), 'elements-user-password': 'correct-horse-1' } });
    expect(right.status).toBe(200);
    expect(right.body.secret).toBe(created.body.secret);
  });

  it('deletes users, whose secrets then stop working, and refuses deleting yourself', async () => {
    const created = await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'gone@example.com' } });
    const theirs = { authorization: `User ${created.body.secret}, Organization ${server.admin.organizationSecret}` };
    expect((await call(`${server.api}/users`, { headers: theirs })).status).toBe(200);
    expect((await call(`${server.api}/organizations/users/${created.body.id}`, { method: 'DELETE', headers: h() })).status).toBe(200);
    expect((await call(`${server.api}/users`, { headers: theirs })).status).toBe(401);
    const self = await call(`${server.api}/users/admin@switchboard.local`, { method: 'DELETE', headers: h() });
    expect(self.status).toBe(403);
  });

  it('stores no user or organization secret in plain text', async () => {
    const created = await call(`${server.api}/organizations/users`, {
      method: 'POST',
      headers: h(),
      json: { email: 'plain@example.com', password: 'plain-text-pw-1' },
    });
    const rows = await server.store.db.selectFrom('users').selectAll().execute();
    const orgs = await server.store.db.selectFrom('organizations').selectAll().execute();
    const dump = JSON.stringify([rows, orgs]);
    expect(dump).not.toContain(created.body.secret);
    expect(dump).not.toContain(server.admin.userSecret);
    expect(dump).not.toContain(server.admin.organizationSecret);
    expect(dump).not.toContain('plain-text-pw-1');
    expect(dump).not.toContain(server.admin.adminPassword);
  });
});

describe('role grants', () => {
  it('grant, read and take roles one at a time, with the errors Open Connectors gives', async () => {
    const role = (user: number | string, key: string, method = 'GET', headers = h()) => call(`${server.api}/users/${user}/roles/${key}`, { method, headers });
    const account = await call(`${server.api}/accounts`, { method: 'POST', headers: h(), json: { externalId: 'roles@example.com' } });
    const user = (
      await call(`${server.api}/accounts/${account.body.id}/users`, {
        method: 'POST',
        headers: h(),
        json: { email: 'roles@example.com', firstName: 'R', lastName: 'G', password: 'roles-pw-1', roles: [] },
      })
    ).body;
    expect(user.roles).toEqual([]);

    expect((await role(user.id, 'admin')).status).toBe(404);
    const granted = await role(user.id, 'admin', 'PUT');
    expect(granted.status).toBe(200);
    expect(granted.body.roles).toEqual([{ key: 'admin' }]);
    expect((await role(user.email, 'admin')).body.id).toBe(user.id);
    expect((await role(user.id, 'admin', 'PUT')).status).toBe(409);
    const unknown = await role(user.id, 'superuser', 'PUT');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/org-admin, admin/);
    // org-admin is for users of the default account; nobody changes their own roles.
    expect((await role(user.id, 'org-admin', 'PUT')).status).toBe(403);
    expect((await role('admin@switchboard.local', 'admin', 'DELETE')).status).toBe(403);

    // An account admin cannot touch the roles of another account's users: 403, not 404.
    const asAccountAdmin = { authorization: `User ${user.secret}, Organization ${server.admin.organizationSecret}` };
    const outsider = (await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'outsider@example.com' } })).body;
    expect((await role(outsider.id, 'admin', 'PUT', asAccountAdmin)).status).toBe(403);
    expect((await role(user.id, 'admin', 'DELETE', asAccountAdmin)).status).toBe(403);

    const taken = await role(user.id, 'admin', 'DELETE');
    expect(taken.status).toBe(200);
    expect(taken.body.roles).toEqual([]);
    expect((await role(user.id, 'admin', 'DELETE')).status).toBe(404);

    // Another organization finds no such user.
    const other = await server.services.tenancy.createOrganization({ name: 'Roles Other', adminEmail: 'roles-other@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    expect((await role(user.id, 'admin', 'PUT', asOther)).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * `debug: true` in a new instance's configuration: the vendor calls that check it are recorded,
 * secrets redacted, whether the vendor accepts the instance or not, and read back with
 * `GET /elements/{key}/trace/{traceId}` by the `Elements-Trace-Id` of the answer.
 */
const SECRET = `Pr0v-${randomUUID().slice(0, 8)}`;
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
const h = () => ({ authorization: server.auth });
const create = (configuration: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  call(`${server.api}/instances`, {
    method: 'POST',
    headers: h(),
    json: { element: { key: 'jiraonprem' }, name: 'debugged', configuration: { username: 'jiradev', siteAddress: jira.baseUrl, ...configuration }, ...extra },
  });
const trace = (id: string, headers = h(), element = 'jiraonprem') => call(`${server.api}/elements/${element}/trace/${id}`, { headers });

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  // A password of its own, so that finding it in a trace cannot be confused with anything else.
  expect((await jira.jira.put('/rest/api/2/user/password?username=jiradev', { password: SECRET })).status).toBe(204);
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('provisioning traces (debug)', () => {
  it('record the checks of an instance the vendor accepts, linked to it, with the credentials redacted', async () => {
    const created = await create({ password: SECRET, debug: true });
    expect(created.status).toBe(200);
    expect(created.body.configuration.debug).toBeUndefined();
    const id = created.headers.get('elements-trace-id');
    expect(id).toBe(created.headers.get('elements-request-id'));

    const read = await trace(id!);
    expect(read.status).toBe(200);
    expect(read.body.map((c: any) => `${c.method} ${c.url} ${c.status}`)).toEqual([
      `GET ${jira.baseUrl}/rest/api/2/serverInfo 200`,
      `GET ${jira.baseUrl}/rest/api/2/myself 200`,
    ]);
    for (const c of read.body) expect(c).toMatchObject({ instanceId: created.body.id, requestId: id });
    expect(read.body[1].request.headers.authorization).toBe('[redacted]');
    expect(read.body[1].response.body).toContain('"name":"jiradev"');
    expect(JSON.stringify(read.body)).not.toContain(SECRET);
  });

  it('record the checks of an instance the vendor refuses: the error answer carries the trace id', async () => {
    const refused = await create({ password: 'wrong-password', debug: 'true' });
    expect(refused.status).toBe(400);
    const id = refused.headers.get('elements-trace-id');
    expect(id).toBeTruthy();
    const read = await trace(id!);
    expect(read.body.map((c: any) => c.status)).toEqual([200, 401]);
    expect(read.body[1]).toMatchObject({ instanceId: 0, url: `${jira.baseUrl}/rest/api/2/myself` });
    expect(read.body[1].response.headers['x-seraph-loginreason']).toBe('AUTHENTICATED_FAILED');
  });

  it('are taken from providerData.debug too, as OAuth clients send it, and only when asked', async () => {
    const viaProviderData = await create({ password: SECRET }, { providerData: { debug: true } });
    expect(viaProviderData.status).toBe(200);
    expect((await trace(viaProviderData.headers.get('elements-trace-id')!)).status).toBe(200);
    const plain = await create({ password: SECRET });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('elements-trace-id')).toBeNull();
    expect((await trace(plain.headers.get('elements-request-id')!)).status).toBe(404);
  });

  it('are kept from other organizations, and answer 404 for an unknown element or trace', async () => {
    const id = (await create({ password: SECRET, debug: true })).headers.get('elements-trace-id')!;
    const other = await server.services.tenancy.createOrganization({ name: 'Trace Other', adminEmail: 'trace-other@example.com' });
    const asOther = { authorization: `User ${other.userSecret}, Organization ${other.organizationSecret}` };
    const foreign = await trace(id, asOther);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ requestId: expect.any(String), message: expect.stringMatching(/No trace/) });
    expect((await trace(id, h(), 'nosuchelement')).status).toBe(404);
    expect((await trace('no-such-trace')).status).toBe(404);
    expect((await trace('..%2F..')).status).toBe(404);
  });
});

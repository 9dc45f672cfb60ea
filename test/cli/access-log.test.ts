import { describe, expect, it } from 'vitest';
import { call } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { PROCESS_BUDGET_MS, startDemo } from '../helpers/process.ts';

/**
 * Starts `serve --demo`, makes calls of each kind (a hub read answered ahead of Fastify, a hub
 * list and a platform call answered by Fastify, a refused secret), stops, and returns the access
 * lines and the usage records, each as [method, url without the API prefix, status].
 */
async function accessLinesAndUsage(env: Record<string, string>) {
  const { process: p, api, authorization: auth, instance } = await startDemo('info', env);
  const created = await call(`${api}/instances`, { method: 'POST', headers: { authorization: auth }, json: instance });
  expect(created.status).toBe(200);
  const hub = { authorization: `${auth}, Element ${created.body.token}` };
  const listed = await call(`${api}/hubs/helpdesk/incidents?pageSize=1`, { headers: hub });
  expect(listed.status).toBe(200);
  const key = listed.body[0].key as string;
  expect((await call(`${api}/hubs/helpdesk/incidents/${key}`, { headers: hub })).status).toBe(200);
  expect((await call(`${api}/instances`, { headers: { authorization: `User x, Organization ${'0'.repeat(32)}` } })).status).toBe(401);
  // Usage records are written in batches: read them once the hub read's is there.
  type Usage = { element_api: string; request_uri: string; http_status: number };
  let records: Usage[] = [];
  await waitFor(async () => {
    const usage = await call<Usage[]>(`${api}/usage?pageSize=100`, { headers: { authorization: auth } });
    records = usage.body;
    return usage.status === 200 && records.some((u) => u.request_uri === `/hubs/helpdesk/incidents/${key}`);
  });
  expect(await p.stop()).toBe(0);
  const prefix = new URL(api).pathname;
  const access = p
    .output()
    .split('\n')
    .filter((l) => l.includes('"request completed"'))
    .map((l) => JSON.parse(l) as { method: string; url: string; statusCode: number })
    .map((l) => [l.method, l.url.slice(prefix.length), l.statusCode])
    // What the wait for the usage records called.
    .filter(([, url]) => !String(url).startsWith('/usage'));
  return { access, records: records.map((u) => [u.element_api.split(' ')[0], u.request_uri, u.http_status]), key };
}

describe('access lines', () => {
  it('are written for the calls that leave no usage record, so that each call is recorded once', { timeout: 3 * PROCESS_BUDGET_MS }, async () => {
    const { access, records, key } = await accessLinesAndUsage({});
    // The demo's own calls to its Jira are not switchboard's API calls and leave neither.
    expect(access).toEqual([['GET', '/instances', 401]]);
    expect(records).toEqual(
      expect.arrayContaining([
        ['POST', '/instances', 200],
        ['GET', '/hubs/helpdesk/incidents?pageSize=1', 200],
        ['GET', `/hubs/helpdesk/incidents/${key}`, 200],
      ]),
    );
  });

  it('are written for every call with SWITCHBOARD_ACCESS_LOG=all', { timeout: 3 * PROCESS_BUDGET_MS }, async () => {
    const { access, key } = await accessLinesAndUsage({ SWITCHBOARD_ACCESS_LOG: 'all' });
    expect(access).toEqual([
      ['POST', '/instances', 200],
      ['GET', '/hubs/helpdesk/incidents?pageSize=1', 200],
      ['GET', `/hubs/helpdesk/incidents/${key}`, 200],
      ['GET', '/instances', 401],
    ]);
  });
});

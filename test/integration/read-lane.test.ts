import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HubSessionCache } from '../../src/auth/hub-session-cache.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { stripNulls } from '../../src/hubs/response-shaping.ts';

/**
 * Hub object reads are answered ahead of Fastify (src/hubs/read-lane.ts) when Fastify would do
 * nothing else. The same call with `?raw=false` (which changes nothing in the answer) always goes
 * through Fastify: each pair must be alike to the byte, but for its request id and date.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
let hub: string;
/** Requests Fastify routed, by URL. */
const routed: string[] = [];
const h = () => ({ authorization: `${server.auth}, Element ${instance.token}` });

beforeAll(async () => {
  server = await startTestServer({}, (app) =>
    app.addHook('onRequest', (request, _reply, done) => {
      routed.push(request.url);
      done();
    }),
  );
  jira = await withEmulator();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'lane' });
  hub = `${server.api}/hubs/helpdesk`;
});
afterAll(async () => {
  await server.close();
  await jira.close();
});
beforeEach(async () => {
  await jira.control.delete('/faults');
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  requestId: string;
}
async function fetchAnswer(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { headers: { ...h(), ...headers } });
  const all: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'date' && name !== 'elements-request-id') all[name] = value;
  });
  return { status: res.status, headers: all, body: Buffer.from(await res.arrayBuffer()), requestId: res.headers.get('elements-request-id') ?? '' };
}
/** The answer to `path`, and whether Fastify routed the call. */
async function sent(path: string, headers: Record<string, string> = {}): Promise<{ answer: Answer; routed: boolean }> {
  const before = routed.length;
  const answer = await fetchAnswer(`${hub}${path}`, headers);
  return { answer, routed: routed.length > before };
}
/** The lane's answer to `path` and Fastify's to the same call, after one call that fills the session cache. */
async function pair(path: string, headers: Record<string, string> = {}) {
  await fetchAnswer(`${hub}${path}?raw=false`, headers);
  const lane = await sent(path, headers);
  const fastify = await sent(`${path}?raw=false`, headers);
  expect(lane.routed).toBe(false);
  expect(fastify.routed).toBe(true);
  return { lane: lane.answer, fastify: fastify.answer };
}
/** The body with its request id blanked: error bodies name their request. */
const withoutId = (a: Answer) => a.body.toString('utf8').replace(a.requestId, '<id>');

describe('hub reads ahead of Fastify', () => {
  it('answer as Fastify does: an issue, a reference object, a missing issue, a failing Jira', async () => {
    for (const path of ['/incidents/CE-1', '/priorities/1', '/incidents/CE-99999']) {
      const { lane, fastify } = await pair(path);
      expect(lane.status).toBe(fastify.status);
      expect(lane.headers).toEqual(fastify.headers);
      expect(withoutId(lane)).toBe(withoutId(fastify));
    }
    // Three calls: the one that fills the session cache, the lane's and Fastify's.
    await jira.control.post('/faults', { path: 'issue/CE-2$', kind: 'html', status: 503, count: 3 });
    const { lane, fastify } = await pair('/incidents/CE-2');
    expect(lane.status).toBe(502);
    expect(lane.headers).toEqual(fastify.headers);
    expect(withoutId(lane)).toBe(withoutId(fastify));
  });

  it('strip nulls from multi-byte text as Fastify does, to the byte and with its length', async () => {
    const text = 'Grüße aus Zürich, 日本語, 🙂 "quoted" back\\slash {"a":null} ":null,"';
    const created = await jira.jira.post('/rest/api/2/issue', {
      fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' }, summary: text, description: text },
    });
    expect(created.status).toBe(201);
    const direct = (await jira.jira.get(`/rest/api/2/issue/${created.body.key}`)).body;
    expect(JSON.stringify(direct)).toContain(':null');
    const { lane, fastify } = await pair(`/incidents/${created.body.key}`);
    expect(lane.status).toBe(200);
    expect(lane.headers).toEqual(fastify.headers);
    expect(lane.body.equals(fastify.body)).toBe(true);
    expect(Number(lane.headers['content-length'])).toBe(lane.body.length);
    const read = JSON.parse(lane.body.toString('utf8'));
    expect(read.fields.summary).toBe(text);
    expect(read).toEqual(stripNulls(direct));
  });

  it('stream an attachment as Fastify does', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('lane bytes\n'.repeat(1000))], { type: 'text/plain' }), 'notes.txt');
    const up = await call(`${hub}/incidents/CE-3/attachments`, { method: 'POST', headers: h(), body: form });
    expect(up.status).toBe(200);
    const { lane, fastify } = await pair(`/attachments/${up.body[0].id}`, { accept: 'application/octet-stream' });
    expect(lane.status).toBe(200);
    expect(lane.headers).toEqual(fastify.headers);
    expect(lane.body.equals(fastify.body)).toBe(true);
    expect(lane.body.toString()).toContain('lane bytes');
  });

  it('leave the same usage records and request metrics as Fastify', async () => {
    // Loopback callers may read the metrics without a token.
    const answered = async () => {
      const text = (await call(`${server.origin}/metrics`)).text;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('switchboard_http_requests_total{') && l.includes('route="/elements/api-v2/hubs/:hub/incidents/:id"') && l.includes('status="200"'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await answered();
    const { lane, fastify } = await pair('/incidents/CE-4');
    // The call that fills the session cache, the lane's and Fastify's.
    expect(await answered()).toBe(before + 3);
    const failed = await pair('/incidents/CE-99998');
    await server.services.usage.flush();
    const record = async (requestId: string) => (await call(`${server.api}/usage/${requestId}`, { headers: { authorization: server.auth } })).body;
    // What differs between two calls, and the query that sent one of them to Fastify.
    const comparable = ({ traffic_id, request_id, traffic_date, process_time, vendor_time, request_uri, ...rest }: Record<string, unknown>) => ({
      ...rest,
      request_uri: String(request_uri).replace('?raw=false', ''),
    });
    const [laneRecord, fastifyRecord] = [await record(lane.requestId), await record(fastify.requestId)];
    expect(laneRecord).toMatchObject({
      element_api: 'GET /hubs/:hub/incidents/:id',
      http_status: 200,
      vendor_calls: 1,
      instance_id: instance.id,
      hub: 'helpdesk',
    });
    expect(comparable(laneRecord)).toEqual(comparable(fastifyRecord));
    expect(laneRecord.process_time).toBeGreaterThan(0);
    expect(laneRecord.vendor_time).toBeGreaterThan(0);
    expect(comparable(await record(failed.lane.requestId))).toEqual(comparable(await record(failed.fastify.requestId)));
  });

  it('leave to Fastify what it would do more with: CORS, asynchronous calls, other shapes of path, an unknown caller', async () => {
    await fetchAnswer(`${hub}/incidents/CE-1?raw=false`);
    const cases: [string, Record<string, string>][] = [
      ['/incidents/CE-1', { origin: 'https://app.example.com' }],
      ['/incidents/CE-1', { 'elements-async-request': 'false' }],
      ['/incidents/CE-1/', {}],
      ['/incidents/CE%2D1', {}],
      ['/incidents', {}],
      ['/incidents/CE-1/comments', {}],
      ['/incidents/CE-1', { authorization: `${server.auth}, Element not-a-token` }],
    ];
    for (const [path, headers] of cases) expect((await sent(path, headers)).routed, `${path} ${JSON.stringify(headers)}`).toBe(true);
    // A disabled instance: Fastify answers, and says so.
    await call(`${server.api}/instances/${instance.id}/enabled`, { method: 'DELETE', headers: { authorization: server.auth } });
    try {
      // The second call finds the disabled instance in the session cache.
      for (let i = 0; i < 2; i++) {
        const disabled = await sent('/incidents/CE-1');
        expect(disabled.routed).toBe(true);
        expect(disabled.answer.status).toBe(403);
      }
    } finally {
      await call(`${server.api}/instances/${instance.id}/enabled`, { method: 'PUT', headers: { authorization: server.auth } });
    }
  });

  it("hash a call's Authorization once, whether the lane answers it or leaves it to Fastify", async () => {
    await fetchAnswer(`${hub}/incidents/CE-1?raw=false`);
    const hashes = vi.spyOn(HubSessionCache, 'key');
    try {
      // Taken by the lane; left to Fastify by the lane after it looked the caller up (an unknown
      // token, a path the lane reads but not this resource); never looked at by the lane (a query).
      for (const [what, path, headers, byFastify] of [
        ['taken', '/incidents/CE-1', {}, false],
        ['an unknown token', '/incidents/CE-1', { authorization: `${server.auth}, Element not-a-token` }, true],
        ['another resource', '/priorities/1', {}, true],
        ['a query', '/incidents/CE-1?raw=false', {}, true],
      ] as const) {
        hashes.mockClear();
        const { routed } = await sent(path, headers);
        expect(routed, what).toBe(byFastify);
        expect(hashes, what).toHaveBeenCalledTimes(1);
      }
    } finally {
      hashes.mockRestore();
    }
  });

  it('mark an instance whose credentials Jira refuses invalid, as the route does', async () => {
    await jira.jira.post('/rest/api/2/user', { name: 'lane', password: 'lane-pw-1', emailAddress: 'lane@example.com', displayName: 'Lane' });
    const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, {
      name: 'lane-user',
      configuration: { username: 'lane', password: 'lane-pw-1' },
    });
    const authorization = `${server.auth}, Element ${created.token}`;
    expect((await fetchAnswer(`${hub}/incidents/CE-1?raw=false`, { authorization })).status).toBe(200);
    await jira.jira.put('/rest/api/2/user?username=lane', { active: false });
    const refused = await sent('/incidents/CE-1', { authorization });
    expect(refused.routed).toBe(false);
    expect(refused.answer.status).toBe(401);
    expect(refused.answer.body.toString()).toMatch(/credentials no longer work/);
    expect((await call(`${server.api}/instances/${created.id}`, { headers: { authorization: server.auth } })).body.valid).toBe(false);
  });
});

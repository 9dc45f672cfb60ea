import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripNulls } from '../../src/hubs/response-shaping.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * `cachingEnabled`: hub reads answered from the cache do not reach Jira (the emulator's request
 * log shows it); writes through the hub, Jira's webhooks and changes to the instance drop what
 * they made stale; the TTL, the entry bound and the caller's scope hold.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
const h = () => ({ authorization: server.auth });
const hub = (token: string, auth = server.auth) => ({ authorization: `${auth}, Element ${token}` });
/** Requests Jira received for one issue or list since the log was last emptied. */
const jiraCalls = async (pattern: RegExp) =>
  ((await jira.control.get('/requests')).body as { method: string; url: string }[]).filter((r) => pattern.test(r.url));

const createInstance = (name: string, settings: Record<string, unknown>, configuration: Record<string, unknown> = {}) =>
  createJiraInstance(server.api, server.auth, jira.baseUrl, { name, settings, configuration });

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('hub response cache', () => {
  it('answers a repeated read from the cache without calling Jira, and a write in between makes the next read go to Jira', async () => {
    const instance = await createInstance('cached', { cachingEnabled: true, cacheTimeToLive: 300, maxCacheSize: 100 });
    expect(instance.cachingEnabled).toBe(true);
    await jira.control.delete('/requests');

    const first = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(instance.token) });
    expect(first.status).toBe(200);
    expect(first.headers.get('elements-cache')).toBe('MISS');
    const second = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(instance.token) });
    expect(second.headers.get('elements-cache')).toBe('HIT');
    expect(second.text).toBe(first.text);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await jiraCalls(/\/issue\/CE-1(\?|$)/)).toHaveLength(1);

    // A list keeps its paging headers; another query is another entry.
    const list = await call(`${server.api}/hubs/helpdesk/incidents?pageSize=2`, { headers: hub(instance.token) });
    const listAgain = await call(`${server.api}/hubs/helpdesk/incidents?pageSize=2`, { headers: hub(instance.token) });
    expect([list.headers.get('elements-cache'), listAgain.headers.get('elements-cache')]).toEqual(['MISS', 'HIT']);
    expect(listAgain.text).toBe(list.text);
    for (const name of ['elements-returned-count', 'elements-next-page-token', 'elements-total-count']) {
      expect(listAgain.headers.get(name)).toBe(list.headers.get(name));
    }
    expect(list.headers.get('elements-next-page-token')).toBeTruthy();
    const other = await call(`${server.api}/hubs/helpdesk/incidents?pageSize=3`, { headers: hub(instance.token) });
    expect(other.headers.get('elements-cache')).toBe('MISS');
    expect(other.body).toHaveLength(3);

    const patched = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, {
      method: 'PATCH',
      headers: hub(instance.token),
      json: { fields: { summary: 'changed through the hub' } },
    });
    expect(patched.status).toBe(200);
    await jira.control.delete('/requests');
    const after = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: hub(instance.token) });
    expect(after.headers.get('elements-cache')).toBe('MISS');
    expect(after.body.fields.summary).toBe('changed through the hub');
    expect(await jiraCalls(/\/issue\/CE-1(\?|$)/)).toEqual([expect.objectContaining({ method: 'GET' })]);
    // Lists of the written resource went too.
    expect((await call(`${server.api}/hubs/helpdesk/incidents?pageSize=2`, { headers: hub(instance.token) })).headers.get('elements-cache')).toBe('MISS');

    const metrics = await call(`${server.origin}/metrics`);
    expect(metrics.text).toMatch(/switchboard_hub_response_cache_total\{result="hit"\} [1-9]/);
    expect(metrics.text).toMatch(/switchboard_hub_response_cache_total\{result="miss"\} [1-9]/);
  });

  it('answers from the cache the very bytes an uncached read answers, nulls stripped or kept, multi-byte text included', async () => {
    const text = 'Grüße aus Zürich, 日本語, 🙂 "quoted" back\\slash {"a":null} ":null,"';
    const created = await jira.jira.post('/rest/api/2/issue', {
      fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' }, summary: text, description: text },
    });
    expect(created.status).toBe(201);
    const path = `${server.api}/hubs/helpdesk/incidents/${created.body.key}`;
    for (const nulls of [true, false]) {
      const cached = await createInstance(`cached nulls=${nulls}`, { cachingEnabled: true, cacheTimeToLive: 300 }, { 'filter.response.nulls': nulls });
      const uncached = await createInstance(`uncached nulls=${nulls}`, {}, { 'filter.response.nulls': nulls });
      const plain = await fetch(path, { headers: hub(uncached.token) });
      const expected = Buffer.from(await plain.arrayBuffer());
      const value = JSON.parse(expected.toString('utf8'));
      expect(value).toEqual(nulls ? stripNulls(value) : expect.objectContaining({ fields: expect.objectContaining({ environment: null }) }));
      for (const state of ['MISS', 'HIT']) {
        const res = await fetch(path, { headers: hub(cached.token) });
        expect(res.headers.get('elements-cache')).toBe(state);
        expect(res.headers.get('content-type')).toBe(plain.headers.get('content-type'));
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.equals(expected)).toBe(true);
        expect(Number(res.headers.get('content-length'))).toBe(body.length);
      }
      expect(value.fields.summary).toBe(text);
    }
  });

  it('caches per calling user, and an instance without caching reaches Jira on every read with no Elements-Cache header', async () => {
    const instance = await createInstance('scoped', { cachingEnabled: true });
    const user = await call(`${server.api}/organizations/users`, { method: 'POST', headers: h(), json: { email: 'cache-reader@example.com' } });
    expect(user.status).toBe(200);
    const otherAuth = `User ${user.body.secret}, Organization ${server.admin.organizationSecret}`;
    expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers: hub(instance.token) })).headers.get('elements-cache')).toBe('MISS');
    const theirs = await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers: hub(instance.token, otherAuth) });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('elements-cache')).toBe('MISS');
    expect((await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers: hub(instance.token, otherAuth) })).headers.get('elements-cache')).toBe('HIT');

    const plain = await createInstance('uncached', {});
    await jira.control.delete('/requests');
    for (let i = 0; i < 2; i++) {
      const res = await call(`${server.api}/hubs/helpdesk/incidents/CE-2`, { headers: hub(plain.token) });
      expect(res.status).toBe(200);
      expect(res.headers.get('elements-cache')).toBeNull();
    }
    expect(await jiraCalls(/\/issue\/CE-2(\?|$)/)).toHaveLength(2);
  });

  it('keeps at most maxCacheSize answers, least recently used out first', async () => {
    const instance = await createInstance('bounded', { cachingEnabled: true, cacheTimeToLive: 300, maxCacheSize: 2 });
    const read = async (key: string) =>
      (await call(`${server.api}/hubs/helpdesk/incidents/${key}`, { headers: hub(instance.token) })).headers.get('elements-cache');
    expect([await read('CE-3'), await read('CE-4'), await read('CE-3')]).toEqual(['MISS', 'MISS', 'HIT']);
    // CE-4 is now the least recently used: a third answer pushes it out.
    expect(await read('CE-5')).toBe('MISS');
    expect([await read('CE-3'), await read('CE-4')]).toEqual(['HIT', 'MISS']);
  });

  it('keeps an answer for cacheTimeToLive seconds', async () => {
    const instance = await createInstance('short-lived', { cachingEnabled: true, cacheTimeToLive: 3 });
    const read = async () => (await call(`${server.api}/hubs/helpdesk/incidents/CE-8`, { headers: hub(instance.token) })).headers.get('elements-cache');
    expect([await read(), await read()]).toEqual(['MISS', 'HIT']);
    await new Promise((r) => setTimeout(r, 3100));
    expect(await read()).toBe('MISS');
  });

  it('drops the cache when the instance changes: turning caching off stops it at once', async () => {
    const instance = await createInstance('switched', { cachingEnabled: true });
    const read = async () => (await call(`${server.api}/hubs/helpdesk/incidents/CE-6`, { headers: hub(instance.token) })).headers.get('elements-cache');
    expect([await read(), await read()]).toEqual(['MISS', 'HIT']);
    const off = await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h(), json: { cachingEnabled: false } });
    expect(off.status).toBe(200);
    expect(off.body.cachingEnabled).toBe(false);
    expect(await read()).toBeNull();
    await call(`${server.api}/instances/${instance.id}`, { method: 'PATCH', headers: h(), json: { cachingEnabled: true } });
    expect(await read()).toBe('MISS');
  });

  it('drops an incident when Jira says by webhook that it changed', async () => {
    const receiver = await startReceiver();
    try {
      const instance = await createInstance(
        'hooked',
        { cachingEnabled: true, cacheTimeToLive: 300 },
        { 'event.notification.enabled': true, 'event.notification.callback.url': receiver.url, 'event.vendor.type': 'webhook' },
      );
      await waitFor(async () => (await call(`${server.api}/instances/${instance.id}/events/status`, { headers: h() })).body.webhookRegistration === 'auto');
      const read = () => call(`${server.api}/hubs/helpdesk/incidents/CE-7`, { headers: hub(instance.token) });
      expect((await read()).headers.get('elements-cache')).toBe('MISS');
      expect((await read()).headers.get('elements-cache')).toBe('HIT');

      // Changed in Jira itself, not through the hub: only the webhook tells switchboard.
      expect((await jira.jira.put('/rest/api/2/issue/CE-7', { fields: { summary: 'changed in Jira' } })).status).toBe(204);
      await waitFor(async () => {
        const row = await server.store.db
          .selectFrom('events')
          .select('id')
          .where('instance_id', '=', instance.id)
          .where('source', '=', 'webhook')
          .executeTakeFirst();
        return row !== undefined;
      });
      const after = await read();
      expect(after.headers.get('elements-cache')).toBe('MISS');
      expect(after.body.fields.summary).toBe('changed in Jira');
    } finally {
      await receiver.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRE_JOB } from '../../src/scheduled-jobs/scheduled-jobs.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * `/jobs` (open-connectors-api.md §9.3): a call of the API made on a Quartz cron trigger, with the
 * Authorization it was created with. The test clock drives the trigger: moving it past a fire
 * makes that fire due, so each fire is a step of the test rather than a wait for the wall clock.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let instance: { id: number; token: string };

const DAY = 86_400_000;
const asAdmin = () => ({ authorization: server.auth });
const withElement = () => ({ authorization: `${server.auth}, Element ${instance.token}` });
const newJob = (json: Record<string, unknown>, headers = withElement()) => call(`${server.api}/jobs`, { method: 'POST', headers, json });
const job = async (id: string) => (await call(`${server.api}/jobs/${id}`, { headers: asAdmin() })).body;
const comments = async () =>
  (await call(`${server.api}/hubs/helpdesk/incidents/CE-2/comments?pageSize=200`, { headers: withElement() })).body as { body: string }[];
/** No fire of the job waits or runs in the queue: every fire made due so far is over. */
const firesOver = (id: string) => async () =>
  (
    await server.store.db
      .selectFrom('jobs')
      .select('id')
      .where('name', '=', FIRE_JOB)
      .where('singleton_key', '=', id)
      .where('run_at', '<=', server.clock.now().toISOString())
      .execute()
  ).length === 0;

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  receiver = await startReceiver();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'jobs' });
});
afterAll(async () => {
  await server.close();
  await jira.close();
  await receiver.close();
});

describe('scheduled jobs', () => {
  it('make their call once per fire, as the user who made them, and stop when deleted', async () => {
    const created = await newJob({
      method: 'POST',
      uri: '/elements/api-v2/hubs/helpdesk/incidents/CE-2/comments',
      name: 'daily comment',
      description: 'comments on CE-2 at noon',
      trigger: { cron: '0 0 12 * * ?' },
      body: { body: 'scheduled comment' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'daily comment',
      method: 'POST',
      headers: {},
      trigger: { cron: '0 0 12 * * ?' },
      lastFire: null,
    });
    expect(JSON.stringify(created.body)).not.toContain(instance.token);
    const { id, nextFireDate } = created.body;
    expect(nextFireDate).toMatch(/T12:00:00\.000Z$/);
    const before = (await comments()).filter((c) => c.body === 'scheduled comment').length;

    // Three days late (no worker ran): the fire is made once, and the trigger goes on from now.
    server.clock.advance(3 * DAY);
    await waitFor(async () => (await job(id)).lastFire?.finishedDate != null);
    const fired = await job(id);
    expect(fired.lastFire).toMatchObject({ date: nextFireDate, status: 200, requestId: expect.any(String) });
    expect(Date.parse(fired.nextFireDate)).toBeGreaterThan(server.clock.now().getTime());
    expect(Date.parse(fired.nextFireDate) - server.clock.now().getTime()).toBeLessThanOrEqual(DAY);
    expect((await comments()).filter((c) => c.body === 'scheduled comment').length).toBe(before + 1);
    // The call went through the API like any other: it has its usage record.
    const usage = () => call(`${server.api}/usage/${fired.lastFire.requestId}`, { headers: asAdmin() });
    await waitFor(async () => (await usage()).status === 200);
    expect((await usage()).body).toMatchObject({ request_uri: '/hubs/helpdesk/incidents/CE-2/comments', request_status: 'success' });

    // The next day's fire, once.
    server.clock.advance(DAY);
    await waitFor(async () => (await job(id)).lastFire?.date === fired.nextFireDate && (await job(id)).lastFire?.finishedDate != null);
    expect((await comments()).filter((c) => c.body === 'scheduled comment').length).toBe(before + 2);

    // Deleted: its queued fire comes due and finds no job.
    expect((await call(`${server.api}/jobs/${id}`, { method: 'DELETE', headers: asAdmin() })).body).toEqual({});
    expect((await call(`${server.api}/jobs/${id}`, { headers: asAdmin() })).status).toBe(404);
    server.clock.advance(DAY);
    await waitFor(firesOver(id));
    expect((await comments()).filter((c) => c.body === 'scheduled comment').length).toBe(before + 2);
  });

  it("keep the outcome of a call that failed, and send an asynchronous call's answer to its callback", async () => {
    const missing = await newJob({
      method: 'GET',
      uri: '/elements/api-v2/hubs/helpdesk/incidents/CE-99999',
      name: 'missing',
      trigger: { cron: '0 30 6 * * ?' },
    });
    const async = await newJob({
      method: 'GET',
      uri: '/elements/api-v2/hubs/helpdesk/incidents',
      query: { pageSize: '2' },
      name: 'to a callback',
      trigger: { cron: '0 30 6 * * ?' },
      headers: { 'Elements-Async-Request': 'true', 'Elements-Async-Callback-Url': receiver.url },
    });
    expect(async.body.query).toEqual({ pageSize: '2' });
    server.clock.advance(DAY);
    await waitFor(async () => (await job(missing.body.id)).lastFire?.finishedDate != null);
    expect((await job(missing.body.id)).lastFire).toMatchObject({ status: 404, error: expect.stringContaining('CE-99999') });
    await waitFor(() => receiver.received.length > 0);
    expect(receiver.received[0]!.json).toMatchObject({ instanceId: instance.id, status: 200 });
    expect(receiver.received[0]!.json.response).toHaveLength(2);
    for (const j of [missing, async]) await call(`${server.api}/jobs/${j.body.id}`, { method: 'DELETE', headers: asAdmin() });
  });

  it("call with the headers' own Authorization when given, masked; a user who is deactivated calls no more, and a deleted one's jobs go", async () => {
    const user = await call(`${server.api}/organizations/users`, {
      method: 'POST',
      headers: asAdmin(),
      json: { email: 'scheduler@example.com', firstName: 'Job', lastName: 'Maker' },
    });
    expect(user.status).toBe(200);
    const organizationSecret = server.auth.split('Organization ')[1]!;
    const asUser = { authorization: `User ${user.body.secret}, Organization ${organizationSecret}, Element ${instance.token}` };
    const mine = await newJob({ method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: 'mine', trigger: { cron: '0 0 7 * * ?' } }, asUser);
    const explicit = await newJob({
      method: 'GET',
      uri: '/elements/api-v2/hubs/helpdesk/priorities',
      name: 'explicit',
      trigger: { cron: '0 0 7 * * ?' },
      headers: { Authorization: `User ${user.body.secret}, Element not-a-token` },
    });
    expect(explicit.body.headers).toEqual({ Authorization: '********' });
    expect((await call(`${server.api}/organizations/users/${user.body.id}`, { method: 'PATCH', headers: asAdmin(), json: { active: false } })).status).toBe(
      200,
    );
    server.clock.advance(DAY);
    await waitFor(async () => (await job(mine.body.id)).lastFire?.finishedDate != null);
    expect((await job(mine.body.id)).lastFire).toMatchObject({ status: null, error: 'The user who made the job is no longer active' });
    await waitFor(async () => (await job(explicit.body.id)).lastFire?.finishedDate != null);
    expect((await job(explicit.body.id)).lastFire).toMatchObject({ status: 401 });
    expect((await call(`${server.api}/organizations/users/${user.body.id}`, { method: 'DELETE', headers: asAdmin() })).status).toBe(200);
    expect((await call(`${server.api}/jobs/${mine.body.id}`, { headers: asAdmin() })).status).toBe(404);
    await call(`${server.api}/jobs/${explicit.body.id}`, { method: 'DELETE', headers: asAdmin() });
  });

  it('make a fire once when two workers take it at the same time', async () => {
    const created = await newJob({ method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: 'raced', trigger: { cron: '0 0 9 * * ?' } });
    let calls = 0;
    const inject = async () => {
      calls++;
      return { statusCode: 200, headers: {}, body: '[]' };
    };
    const payload = { jobId: created.body.id, fireAt: created.body.nextFireDate };
    await Promise.all(Array.from({ length: 8 }, () => server.services.scheduledJobs.fire(payload, inject)));
    expect(calls).toBe(1);
    expect((await job(created.body.id)).lastFire).toMatchObject({ date: created.body.nextFireDate, status: 200 });
    await call(`${server.api}/jobs/${created.body.id}`, { method: 'DELETE', headers: asAdmin() });
  });

  it('read Quartz expressions as Quartz does: seconds first, days of the week from 1 for Sunday, 0/15 steps, an optional year', async () => {
    const monday = await newJob({ method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: 'mondays', trigger: { cron: '0 0 12 ? * 2' } });
    expect(monday.status).toBe(200);
    expect(new Date(monday.body.nextFireDate).getUTCDay()).toBe(1);
    const quarter = await newJob({
      method: 'GET',
      uri: '/elements/api-v2/hubs/helpdesk/priorities',
      name: 'quarters',
      trigger: { cron: '0 0/15 * 1/1 * ? *' },
    });
    expect(quarter.status).toBe(200);
    expect(new Date(quarter.body.nextFireDate).getUTCMinutes() % 15).toBe(0);
    for (const j of [monday, quarter]) await call(`${server.api}/jobs/${j.body.id}`, { method: 'DELETE', headers: asAdmin() });
  });

  it('refuse what cannot run as asked, with a 400 that says why', async () => {
    const base = { method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: 'refused' };
    const refused = async (json: Record<string, unknown>, fragment: string, headers = withElement()) => {
      const res = await newJob({ ...base, ...json }, headers);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.message).toContain(fragment);
    };
    await refused({ trigger: { cron: '0 12 * * *' } }, 'Quartz');
    await refused({ trigger: { cron: '* * * * * ?' } }, 'SWITCHBOARD_JOBS_MIN_INTERVAL_SECONDS');
    await refused({ trigger: { cron: '0 0 12 1 1 ? 2001' } }, 'fires no more');
    await refused({ trigger: { cron: '0 0 12 * * ?', timezone: 'Europe/Berlin' } }, 'timezone');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: 'https://example.com/elements/api-v2/hubs/helpdesk/priorities' }, 'a path of this API');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: '/elements/api-v2/jobs' }, 'cannot call /jobs');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: '/elements/api-v2/%6Aobs/x' }, 'cannot call /jobs');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: '/elements/api-v2/hubs/../../api-v1/ui/getSecrets' }, 'a path of this API');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: '/elements/api-v2/hubs/%E0%A4%A' }, 'a path of this API');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, headers: { Host: 'example.com' } }, 'headers.Host');
    // Found when the job is made, not at its first fire: a path no route serves, a method a route
    // does not take, and a hub call without an instance's token.
    await refused({ trigger: { cron: '0 0 12 * * ?' }, uri: '/elements/api-v2/hubs/helpdesk/incidents/CE-1/no-such-part' }, 'this API has no GET');
    await refused({ trigger: { cron: '0 0 12 * * ?' }, method: 'PATCH', uri: '/elements/api-v2/hubs/helpdesk/priorities' }, 'this API has no PATCH');
    await refused({ trigger: { cron: '0 0 12 * * ?' } }, 'Element <token>', asAdmin());
    const platformCall = await newJob({ ...base, name: 'a platform call', uri: '/elements/api-v2/instances', trigger: { cron: '0 0 12 * * ?' } }, asAdmin());
    expect(platformCall.status).toBe(200);
    const ownAuthorization = await newJob(
      { ...base, name: 'its own Authorization', trigger: { cron: '0 0 12 * * ?' }, headers: { Authorization: `${server.auth}, Element ${instance.token}` } },
      asAdmin(),
    );
    expect(ownAuthorization.status).toBe(200);
    for (const made of [platformCall, ownAuthorization]) await call(`${server.api}/jobs/${made.body.id}`, { method: 'DELETE', headers: asAdmin() });
    expect((await call(`${server.api}/jobs`, { headers: asAdmin() })).body.filter((j: { name: string }) => j.name === 'refused')).toEqual([]);
  });

  it("show the secret-named members of a call's body masked, at any depth", async () => {
    const made = await newJob({
      method: 'POST',
      uri: '/elements/api-v2/instances',
      name: 'an instance a day',
      trigger: { cron: '0 0 4 * * ?' },
      body: { element: { key: 'jiraonprem' }, configuration: { username: 'admin', password: 'admin', 'event.notification.signature.key': 'k' }, tags: ['a'] },
    });
    expect(made.body.body).toEqual({
      element: { key: 'jiraonprem' },
      configuration: { username: 'admin', password: '********', 'event.notification.signature.key': '********' },
      tags: ['a'],
    });
    await call(`${server.api}/jobs/${made.body.id}`, { method: 'DELETE', headers: asAdmin() });
  });

  it('list newest first, every job once across pages, secret-named query parameters masked in query and uri', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await newJob({
        method: 'GET',
        uri: '/elements/api-v2/hubs/helpdesk/priorities?accessToken=in-the-uri&pageSize=5',
        query: { apiKey: 'hidden' },
        name: `listed ${i}`,
        trigger: { cron: '0 0 3 * * ?' },
      });
      ids.push(res.body.id);
      server.clock.advance(1);
    }
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await call(`${server.api}/jobs?pageSize=2${next ? `&nextPage=${next}` : ''}`, { headers: asAdmin() });
      expect(page.status).toBe(200);
      for (const j of page.body) {
        seen.push(j.id);
        if (ids.includes(j.id)) {
          expect(j.query).toEqual({ apiKey: '********' });
          expect(j.uri).toBe('/elements/api-v2/hubs/helpdesk/priorities?accessToken=********&pageSize=5');
        }
      }
      next = page.headers.get('elements-next-page-token') ?? undefined;
    } while (next);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });
});

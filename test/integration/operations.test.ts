import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/** Liveness, readiness and Prometheus metrics, over real sockets. */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
const TOKEN = 'metrics-token-for-tests-0123456789';

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_METRICS_TOKEN: TOKEN });
  jira = await withEmulator();
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

const metrics = (authorization?: string) => call(`${server.origin}/metrics`, { headers: authorization ? { authorization } : {} });
/** One sample's value from the Prometheus text, e.g. `name{a="b"}`. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('operations', () => {
  it('answers /health without credentials', async () => {
    const res = await call(`${server.origin}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('is ready while the database and the job queue answer, and 503 naming the one that does not', async () => {
    expect((await call(`${server.origin}/ready`)).body).toEqual({ status: 'ready' });
    await sql`alter table jobs rename to jobs_away`.execute(server.store.db);
    try {
      const res = await call(`${server.origin}/ready`);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ requestId: expect.any(String), message: expect.stringMatching(/^Not ready: job queue: /) });
      expect(res.body.message).not.toMatch(/database/);
    } finally {
      await sql`alter table jobs_away rename to jobs`.execute(server.store.db);
    }
    expect((await call(`${server.origin}/ready`)).status).toBe(200);
  });

  it('serves Prometheus metrics only with the token, by route template, with hub cache and log counters', async () => {
    expect((await metrics()).status).toBe(401);
    expect((await metrics('Bearer wrong')).status).toBe(401);
    expect((await metrics(`Bearer ${TOKEN}x`)).body.message).toMatch(/SWITCHBOARD_METRICS_TOKEN/);

    const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'metrics' });
    const hub = { authorization: `${server.auth}, Element ${created.token}` };
    for (const key of ['CE-1', 'CE-2', 'CE-3']) expect((await call(`${server.api}/hubs/helpdesk/incidents/${key}`, { headers: hub })).status).toBe(200);
    expect((await call(`${server.api}/instances/123456789`, { headers: { authorization: server.auth } })).status).toBe(404);
    // One job waiting an hour, one run to its end.
    await server.services.queue.enqueue('operations.later', {}, { runAt: new Date(Date.now() + 3600_000) });
    await server.services.queue.work('operations.now', async () => undefined);
    await server.services.queue.enqueue('operations.now', {});
    // The outcome is counted after the job's row is gone: wait for the count, not for the run.
    const completed = async () => sample((await metrics(`Bearer ${TOKEN}`)).text, 'switchboard_jobs_total{name="operations.now",outcome="completed"}');
    await waitFor(async () => (await completed()) === 1);

    const res = await metrics(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    // Route templates, never the ids in the URL.
    expect(sample(text, 'switchboard_http_requests_total{method="GET",route="/elements/api-v2/hubs/:hub/incidents/:id",status="200"}')).toBe(3);
    expect(sample(text, 'switchboard_http_requests_total{method="GET",route="/elements/api-v2/instances/:id",status="404"}')).toBe(1);
    expect(text).not.toContain('CE-1');
    expect(text).toContain('switchboard_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/elements/api-v2/hubs/:hub/incidents/:id"}');
    expect(sample(text, 'switchboard_hub_session_cache_total{result="hit"}')).toBeGreaterThanOrEqual(1);
    // Provisioning (serverInfo, myself) and the three reads, each counted once with Jira's status.
    expect(sample(text, 'switchboard_vendor_calls_total{element="jiraonprem",status="200"}')).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'switchboard_vendor_call_duration_seconds_count{element="jiraonprem"}')).toBe(
      sample(text, 'switchboard_vendor_calls_total{element="jiraonprem",status="200"}'),
    );
    expect(sample(text, 'switchboard_log_lines_dropped_total')).toBe(0);
    expect(sample(text, 'switchboard_records_waiting{what="usage"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'switchboard_record_writes_failed_total{what="usage"}')).toBe(0);
    expect(sample(text, 'switchboard_record_writes_failed_total{what="traces"}')).toBe(0);
    expect(text).toContain('# TYPE switchboard_event_deliveries_total counter');
    expect(sample(text, 'switchboard_jobs{name="operations.later",status="queued"}')).toBe(1);
    expect(sample(text, 'switchboard_jobs_total{name="operations.now",outcome="completed"}')).toBe(1);
    expect(text).toContain('switchboard_process_cpu_seconds_total');
  });
});

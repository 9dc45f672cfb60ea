import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportIssues } from '../../src/elements/jiraonprem/hub/bulk-export.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/** Bulk exports over real sockets: the job, its status, its records as NDJSON and CSV, cancelling, scope. */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
const h = () => ({ authorization: server.auth });
const hub = (token = instance.token) => ({ authorization: `${server.auth}, Element ${token}` });
const bulk = (path: string, init: RequestInit & { json?: unknown } = {}, token?: string) =>
  call(`${server.api}/hubs/helpdesk/bulk${path}`, { ...init, headers: { ...hub(token), ...(init.headers as Record<string, string>) } });
/** A result download as text (NDJSON is not one JSON document). */
const download = async (id: string, accept: string) => {
  const res = await fetch(`${server.api}/hubs/helpdesk/bulk/${id}/incidents`, { headers: { ...hub(), accept } });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

const createInstance = (name: string) => createJiraInstance(server.api, server.auth, jira.baseUrl, { name });

/** Starts an export and waits for it to end; returns its final status. */
async function exportOf(q: string, token?: string) {
  const started = await bulk(`/query?q=${encodeURIComponent(q)}`, { method: 'POST' }, token);
  expect(started.status).toBe(200);
  expect(started.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), status: 'CREATED' });
  let status: any;
  await waitFor(async () => {
    status = (await bulk(`/${started.body.id}/status`, {}, token)).body;
    return !['CREATED', 'RUNNING'].includes(status.status);
  });
  return status;
}

/** Every record the hub lists for a where, page by page. */
async function hubIds(where?: string): Promise<string[]> {
  const ids: string[] = [];
  let next: string | null = null;
  do {
    const q: URLSearchParams = new URLSearchParams({ pageSize: '50', ...(where && { where }), ...(next && { nextPage: next }) });
    const res: Awaited<ReturnType<typeof call<any>>> = await call(`${server.api}/hubs/helpdesk/incidents?${q}`, { headers: hub() });
    expect(res.status).toBe(200);
    ids.push(...res.body.map((i: any) => i.id));
    next = res.headers.get('elements-next-page-token');
  } while (next);
  return ids;
}

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  instance = await createInstance('bulk');
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('bulk export', () => {
  it('exports every incident once, as NDJSON, with the ids the hub lists', async () => {
    const status = await exportOf('select * from incidents');
    const expected = await hubIds();
    expect(status).toMatchObject({ status: 'COMPLETED', objectName: 'incidents', recordsCount: expected.length, recordsFailedCount: 0 });
    expect(status.totalRecordsEstimate).toBe(expected.length);
    expect(status.completedDate).toBeDefined();
    for (const accept of ['application/json', 'application/x-ndjson']) {
      const res = await download(status.id, accept);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(accept);
      const lines = res.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.id)).toEqual(expected);
      // As the hub answers: nulls stripped.
      expect(res.text).not.toContain(':null');
    }
    const jobs = await bulk('/jobs');
    expect(jobs.body[0]).toMatchObject({ id: status.id, status: 'COMPLETED' });
  });

  it('selects fields and filters with CEQL, and writes CSV with dotted columns', async () => {
    // A summary with a comma and a quote: the CSV quotes it.
    const created = await call(`${server.api}/hubs/helpdesk/incidents`, {
      method: 'POST',
      headers: hub(),
      json: { fields: { project: { key: 'CE' }, issuetype: { name: 'Bug' }, summary: 'bulk, "quoted" bug' } },
    });
    expect(created.status).toBe(200);
    const where = "fields.issuetype.name = 'Bug'";
    const status = await exportOf(`select id, key, fields.summary from incidents where ${where}`);
    const expected = await hubIds(where);
    expect(expected.length).toBeGreaterThan(1);
    expect(status.recordsCount).toBe(expected.length);
    const ndjson = await download(status.id, 'application/json');
    const records = ndjson.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.id)).toEqual(expected);
    for (const r of records) expect(Object.keys(r).sort()).toEqual(['fields', 'id', 'key']);
    expect(records.find((r) => r.id === created.body.id).fields).toEqual({ summary: 'bulk, "quoted" bug' });

    const csv = await download(status.id, 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv');
    const rows = csv.text.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe('id,key,fields.summary');
    expect(rows).toHaveLength(expected.length + 1);
    expect(rows).toContain(`${created.body.id},${created.body.key},"bulk, ""quoted"" bug"`);
  });

  it('refuses a bad query, an object the element does not export and an order it cannot keep, before any job exists', async () => {
    const before = (await bulk('/jobs')).body.length;
    for (const q of [
      'select from incidents',
      'select * from nothing',
      // An export keeps its position in created order only.
      "select * from incidents where fields.summary = 'x' order by fields.summary",
      'select * from incidents order by fields.created, key',
      // Newest first, an issue created meanwhile would move the positions already read.
      'select * from incidents order by fields.created desc',
      'delete everything',
      // Parses as CEQL, but has no JQL: refused before a job, not failed in one.
      "select * from incidents where fields.summary like 'a%b%c'",
    ]) {
      const res = await bulk(`/query?q=${encodeURIComponent(q)}`, { method: 'POST' });
      expect(res.status, q).toBe(400);
      expect(res.body.message).toBeTruthy();
    }
    expect((await bulk('/query', { method: 'POST' })).status).toBe(400);
    expect((await bulk('/jobs')).body).toHaveLength(before);
  });

  it('cancels a running job before its next page', async () => {
    // Slow pages (1 s each from Jira), small ones: the job is still running when it is cancelled.
    await jira.control.put('/config', { latencyMs: 1000 });
    try {
      const started = await bulk(`/query?q=${encodeURIComponent('select * from incidents')}`, { method: 'POST' });
      const cancelled = await bulk(`/${started.body.id}/cancel`, { method: 'PUT' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('CANCELLED');
      // The page in flight is not stored, and nothing after it.
      await new Promise((r) => setTimeout(r, 2500));
      const status = (await bulk(`/${started.body.id}/status`)).body;
      expect(status).toMatchObject({ status: 'CANCELLED', recordsCount: 0 });
      expect((await bulk(`/${started.body.id}/incidents`)).status).toBe(409);
    } finally {
      await jira.control.put('/config', { latencyMs: 0 });
    }
  });

  it("shows a job only through its own instance's token", async () => {
    const status = await exportOf('select id from incidents');
    const other = await createInstance('bulk-other');
    for (const path of [`/${status.id}/status`, `/${status.id}/incidents`, `/${status.id}/cancel`]) {
      const res = await bulk(path, path.endsWith('cancel') ? { method: 'PUT' } : {}, other.token);
      expect(res.status, path).toBe(404);
    }
    expect((await bulk('/jobs', {}, other.token)).body).toEqual([]);
  });

  it('takes order by fields.created asc, the order it keeps anyway, in the order Jira sorts them', async () => {
    const status = await exportOf('select id from incidents order by fields.created asc');
    expect(status.status).toBe('COMPLETED');
    const ids = (await download(status.id, 'application/x-ndjson')).text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).id);
    const jql = encodeURIComponent('ORDER BY created ASC, key ASC');
    const expected = (await jira.jira.get(`/rest/api/2/search?jql=${jql}&maxResults=1000&fields=created`)).body.issues.map((i: any) => i.id);
    expect(ids).toEqual(expected);
  });

  it('pages Jira by position, not offset: issues created while it pages are neither repeated nor make it skip', async () => {
    const context = server.services.events.context((await server.services.instanceRepo.find(instance.id))!);
    const seen: string[] = [];
    const created: number[] = [];
    let cursor: unknown = null;
    let pages = 0;
    do {
      const page = await exportIssues.page({ where: undefined, orderBy: undefined, fields: ['summary'], cursor, pageSize: 7 }, context);
      seen.push(...page.items.map((i: any) => i.id));
      created.push(...page.items.map((i: any) => Date.parse(i.fields.created)));
      cursor = page.cursor;
      // Every other page, a new issue: created now, it sorts after every issue already read, and
      // the pages still to come include it.
      if (cursor !== null && pages++ % 2 === 0) {
        await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: `during export ${pages}` } });
      }
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await jira.jira.get('/rest/api/2/search?jql=ORDER%20BY%20created&maxResults=1000&fields=summary')).body.issues.map((i: any) => i.id);
    expect([...seen].sort()).toEqual([...all].sort());
    expect(created).toEqual([...created].sort((a, b) => a - b));
  });

  it("fails the job with Jira's refusal and marks the instance invalid when Jira refuses the credentials, without retrying", async () => {
    const own = await createInstance('bulk-refused');
    await jira.control.post('/faults', { path: '/rest/api/2/search', kind: 'status', status: 401, count: 5 });
    try {
      const status = await exportOf('select id from incidents', own.token);
      expect(status.status).toBe('FAILED');
      expect(status.message).toBeTruthy();
      expect((await call(`${server.api}/instances/${own.id}`, { headers: h() })).body.valid).toBe(false);
      // One refused call, not three: a 401 is never retried.
      expect((await jira.control.get('/faults')).body[0].remaining).toBe(4);
    } finally {
      await jira.control.delete('/faults');
    }
  });
});

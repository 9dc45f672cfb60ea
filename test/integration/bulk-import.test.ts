import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_PROPERTY } from '../../src/elements/jiraonprem/hub/bulk-import.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/** Bulk imports over real sockets: CSV, JSON and NDJSON uploads, upserts, refused rows, limits, callbacks, scope. */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let instance: { id: number; token: string };
const SIGNING_KEY = 'bulk-callback-key';
const hub = (token = instance.token) => ({ authorization: `${server.auth}, Element ${token}` });
const bulk = (path: string, token?: string) => call(`${server.api}/hubs/helpdesk/bulk${path}`, { headers: hub(token) });

/** Uploads a file as multipart (metaData first, as the API asks) and answers the response. */
async function upload(
  file: { name: string; type: string; text: string },
  options: { metaData?: unknown; headers?: Record<string, string>; object?: string } = {},
) {
  const form = new FormData();
  if (options.metaData !== undefined) form.append('metaData', JSON.stringify(options.metaData));
  form.append('file', new Blob([file.text], { type: file.type }), file.name);
  const res = await fetch(`${server.api}/hubs/helpdesk/bulk/${options.object ?? 'incidents'}`, {
    method: 'POST',
    headers: { ...hub(), ...options.headers },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function finished(id: string) {
  let status: any;
  await waitFor(async () => {
    status = (await bulk(`/${id}/status`)).body;
    return !['CREATED', 'RUNNING'].includes(status.status);
  });
  return status;
}

/** Issues whose summary holds `word`, straight from Jira. */
async function issuesWith(word: string) {
  const jql = encodeURIComponent(`summary ~ "${word}" ORDER BY key ASC`);
  return (await jira.jira.get(`/rest/api/2/search?jql=${jql}&maxResults=100&fields=summary,labels,issuetype`)).body.issues as any[];
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\r\n');

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_BULK_UPLOAD_MB: '1', SWITCHBOARD_BULK_MAX_ROWS: '500' });
  jira = await withEmulator();
  instance = await createJiraInstance(server.api, server.auth, jira.baseUrl, {
    name: 'bulk import',
    configuration: { 'event.notification.signature.key': SIGNING_KEY },
  });
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('bulk import', () => {
  it("creates a CSV file's rows as issues, dotted columns as reference objects, and lists the row Jira refused with its message", async () => {
    const started = await upload({
      name: 'issues.csv',
      type: 'text/csv',
      text: csv([
        ['fields.project.key', 'fields.issuetype.name', 'fields.summary', 'fields.labels'],
        ['CE', 'Task', 'csvimport one, with a comma', '["alpha","beta"]'],
        ['CE', 'No such type', 'csvimport refused', ''],
        ['CE', 'Bug', 'csvimport "quoted" three', ''],
      ]),
    });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), status: 'CREATED' });
    const status = await finished(started.body.id);
    expect(status).toMatchObject({
      status: 'COMPLETED',
      objectName: 'incidents',
      query: 'issues.csv',
      recordsCount: 2,
      recordsFailedCount: 1,
      totalRecordsEstimate: 3,
    });

    const created = await issuesWith('csvimport');
    expect(created.map((i) => i.fields.summary).sort()).toEqual(['csvimport "quoted" three', 'csvimport one, with a comma']);
    const one = created.find((i) => i.fields.summary.startsWith('csvimport one'));
    expect(one.fields.labels).toEqual(['alpha', 'beta']);
    expect(one.fields.issuetype.name).toBe('Task');
    // Each created issue carries its row's marker, which a resumed job looks for.
    const markers = await Promise.all(
      created.map(async (i) => (await jira.jira.get(`/rest/api/2/issue/${i.key}/properties/${IMPORT_PROPERTY}`)).body.value.row),
    );
    expect(markers.sort()).toEqual([`${started.body.id}.1`, `${started.body.id}.3`]);

    const errors = await bulk(`/${started.body.id}/errors`);
    expect(errors.status).toBe(200);
    expect(errors.headers.get('elements-returned-count')).toBe('1');
    expect(errors.body).toEqual([
      {
        row: 2,
        record: { fields: { project: { key: 'CE' }, issuetype: { name: 'No such type' }, summary: 'csvimport refused' } },
        message: expect.any(String),
        providerMessage: expect.stringMatching(/issue type/i),
      },
    ]);
    // An import has no result to download.
    expect((await bulk(`/${started.body.id}/incidents`)).status).toBe(404);
  });

  it('upserts a JSON array by key: rows whose key exists update that issue, the others create one', async () => {
    const existing = (
      await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'upsertjson before' } })
    ).body.key;
    const before = (await jira.jira.get('/rest/api/2/search?jql=&maxResults=0')).body.total;
    const records = [
      { key: existing, fields: { summary: 'upsertjson after' } },
      { key: 'CE-999999', fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'upsertjson unknown key' } },
      { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'upsertjson no key' } },
    ];
    const started = await upload(
      { name: 'issues.json', type: 'application/json', text: JSON.stringify(records, null, 2) },
      { metaData: { identifierFieldName: 'key' } },
    );
    expect(started.status).toBe(200);
    const status = await finished(started.body.id);
    expect(status).toMatchObject({ status: 'COMPLETED', recordsCount: 3, recordsFailedCount: 0, identifierFieldName: 'key' });
    expect((await jira.jira.get(`/rest/api/2/issue/${existing}?fields=summary`)).body.fields.summary).toBe('upsertjson after');
    expect((await jira.jira.get('/rest/api/2/search?jql=&maxResults=0')).body.total).toBe(before + 2);
    expect((await issuesWith('upsertjson')).map((i) => i.fields.summary).sort()).toEqual(['upsertjson after', 'upsertjson no key', 'upsertjson unknown key']);
  });

  it('reads the records at metaData.path of a JSON object: a saved Jira search answer, upserted by key', async () => {
    const existing = (
      await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'pathjson before' } })
    ).body.key;
    // The shape of a search answer: the records under "issues", other members before and after.
    const saved = {
      expand: 'schema,names',
      startAt: 0,
      maxResults: 2,
      total: 2,
      issues: [
        { key: existing, fields: { summary: 'pathjson after' } },
        { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'pathjson new' } },
      ],
      names: { summary: 'Summary', issues: 'not the records' },
    };
    const started = await upload(
      { name: 'search.json', type: 'application/json', text: JSON.stringify(saved, null, 2) },
      { metaData: { identifierFieldName: 'key', path: 'issues' } },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(await finished(started.body.id)).toMatchObject({ status: 'COMPLETED', recordsCount: 2, recordsFailedCount: 0 });
    expect((await issuesWith('pathjson')).map((i) => i.fields.summary).sort()).toEqual(['pathjson after', 'pathjson new']);
  });

  it('upserts NDJSON by a field: the issue whose summary is exactly the value is updated', async () => {
    await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'ndjsonkey alpha' } });
    await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'ndjsonkey alpha beta' } });
    const lines = [
      { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'ndjsonkey alpha', labels: ['updated'] } },
      { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'ndjsonkey gamma', labels: ['created'] } },
    ];
    const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
    const started = await upload({ name: 'rows.ndjson', type: 'application/x-ndjson', text }, { metaData: { identifierFieldName: 'fields.summary' } });
    expect(started.status).toBe(200);
    expect(await finished(started.body.id)).toMatchObject({ status: 'COMPLETED', recordsCount: 2, recordsFailedCount: 0 });
    const bySummary = Object.fromEntries((await issuesWith('ndjsonkey')).map((i) => [i.fields.summary, i.fields.labels]));
    expect(bySummary).toEqual({ 'ndjsonkey alpha': ['updated'], 'ndjsonkey alpha beta': [], 'ndjsonkey gamma': ['created'] });
  });

  it('pages the refused rows with pageSize and nextPage, each row once', async () => {
    const records = Array.from({ length: 7 }, (_, i) => ({ fields: { project: { key: 'NOPE' }, issuetype: { name: 'Task' }, summary: `refused ${i}` } }));
    const started = await upload({ name: 'bad.json', type: 'application/json', text: JSON.stringify(records) });
    expect(await finished(started.body.id)).toMatchObject({ status: 'COMPLETED', recordsCount: 0, recordsFailedCount: 7 });
    const rows: number[] = [];
    let next: string | null = null;
    do {
      const page: any = await bulk(`/${started.body.id}/errors?pageSize=3${next ? `&nextPage=${encodeURIComponent(next)}` : ''}`);
      expect(page.status).toBe(200);
      rows.push(...page.body.map((e: any) => e.row));
      next = page.headers.get('elements-next-page-token');
    } while (next);
    expect(rows).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses what cannot run before any job exists: an object, a file type, an identifier, a bad row, too many rows, too large', async () => {
    const jobsBefore = (await bulk('/jobs?pageSize=200')).body.length;
    const rows = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ fields: { summary: `limit ${i}` } })).join('\n');
    const cases: [Awaited<ReturnType<typeof upload>>, number, RegExp][] = [
      [await upload({ name: 'a.json', type: 'application/json', text: '[]' }, { object: 'priorities' }), 400, /no bulk import of priorities/],
      [await upload({ name: 'a.xlsx', type: 'application/octet-stream', text: 'x' }), 400, /not CSV, JSON or NDJSON/],
      [
        await upload({ name: 'a.json', type: 'application/json', text: '[]' }, { metaData: { identifierFieldName: 'fields.project.key' } }),
        400,
        /looked up by key, id or one field/,
      ],
      [await upload({ name: 'a.json', type: 'application/json', text: '[]' }, { metaData: { identifierFieldName: 'a..b' } }), 400, /identifierFieldName/],
      [await upload({ name: 'a.json', type: 'application/json', text: '[{"fields": {}}, {"fields": ' }), 400, /Row 2|not closed/],
      [
        await upload({ name: 'a.csv', type: 'text/csv', text: 'key\r\nCE-1\r\n' }, { metaData: { path: 'issues' } }),
        400,
        /metaData.path applies to a JSON file/,
      ],
      [await upload({ name: 'a.json', type: 'application/json', text: '{"total": 0}' }, { metaData: { path: 'issues' } }), 400, /no records array at "issues"/],
      [await upload({ name: 'a.json', type: 'application/json', text: '{"issues": []}' }, { metaData: { path: ['issues'] } }), 400, /metaData.path must be/],
      [await upload({ name: 'a.ndjson', type: 'application/x-ndjson', text: '{"a": 1}\n{oops}\n' }), 400, /Row 2 is not valid JSON/],
      [await upload({ name: 'a.csv', type: 'text/csv', text: 'fields.summary,bad path!\r\nx,y\r\n' }), 400, /not a dotted path/],
      [await upload({ name: 'a.ndjson', type: 'application/x-ndjson', text: rows(501) }), 400, /more than 500 records/],
      [
        await upload({ name: 'a.json', type: 'application/json', text: `[${`{"fields":{"summary":"${'x'.repeat(4000)}"}},`.repeat(300)}{}]` }),
        413,
        /larger than/,
      ],
    ];
    // metaData after the file: its rows are stored already, so the whole upload is refused.
    const late = new FormData();
    late.append('file', new Blob(['[]'], { type: 'application/json' }), 'a.json');
    late.append('metaData', JSON.stringify({ identifierFieldName: 'key' }));
    const lateRes = await fetch(`${server.api}/hubs/helpdesk/bulk/incidents`, { method: 'POST', headers: hub(), body: late });
    cases.push([{ status: lateRes.status, body: await lateRes.json() }, 400, /metaData part before the file/]);
    for (const [res, status, message] of cases) {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body).toEqual({ requestId: expect.any(String), message: expect.stringMatching(message) });
    }
    expect((await bulk('/jobs?pageSize=200')).body.length).toBe(jobsBefore);
  });

  it('POSTs the status, signed like event notifications, to Elements-Async-Callback-Url when the job ends', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        // The first attempt fails: the callback is sent again.
        res.writeHead(received.length === 1 ? 503 : 204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done?token=abc`;
    try {
      const started = await upload(
        {
          name: 'cb.ndjson',
          type: 'application/x-ndjson',
          text: JSON.stringify({ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'callback' } }),
        },
        { headers: { 'Elements-Async-Callback-Url': url } },
      );
      expect(started.status).toBe(200);
      await waitFor(() => received.length >= 2, 30_000);
      const last = received.at(-1)!;
      const status = JSON.parse(last.body);
      expect(status).toMatchObject({ id: started.body.id, status: 'COMPLETED', recordsCount: 1 });
      const sign = (data: string) => `sha256=${createHmac('sha256', SIGNING_KEY).update(data).digest('base64')}`;
      expect(last.headers['elements-webhook-signature']).toBe(sign(last.body));
      expect(last.headers['elements-webhook-timestamp-signature']).toBe(sign(`${last.headers['elements-webhook-timestamp']}.${last.body}`));
      // The export takes it as a query parameter too.
      const exported = await call(
        `${server.api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent("select id from incidents where fields.summary = 'callback'")}&callbackUrl=${encodeURIComponent(url)}`,
        {
          method: 'POST',
          headers: hub(),
        },
      );
      expect(exported.status).toBe(200);
      await waitFor(() => received.some((r) => JSON.parse(r.body).id === (exported.body as any).id), 30_000);
      // Not a URL: refused before any job exists.
      const bad = await call(`${server.api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent('select * from incidents')}&callbackUrl=ftp%3A%2F%2Fx`, {
        method: 'POST',
        headers: hub(),
      });
      expect(bad.status).toBe(400);
    } finally {
      receiver.close();
    }
  });

  it('queues the callback of a job whose process ended it and died before queueing, once, half a minute later', async () => {
    const received: string[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      // What a process leaves when it dies between ending a job and queueing its callback.
      const id = 'deadbeefdeadbeefdeadbeef';
      const jobs = server.services.bulkJobs;
      await jobs.create({
        id,
        organization_id: server.admin.organizationId,
        instance_id: instance.id,
        kind: 'export',
        object_name: 'incidents',
        query: 'select * from incidents',
        callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/late`,
        created_at: server.clock.now().toISOString(),
      });
      expect(await jobs.finish(id, 'CANCELLED', 'Cancelled by the caller', server.clock.now().toISOString())).toBe(true);
      // Within half a minute of its end, the ending process may still be queueing it.
      await server.services.bulk.queueMissedCallbacks();
      server.clock.advance(31_000);
      await server.services.bulk.queueMissedCallbacks();
      await waitFor(() => received.some((b) => JSON.parse(b).id === id), 30_000);
      await server.services.bulk.queueMissedCallbacks();
      server.clock.advance(120_000);
      await server.services.bulk.queueMissedCallbacks();
      await new Promise((r) => setTimeout(r, 500));
      expect(received.filter((b) => JSON.parse(b).id === id).map((b) => JSON.parse(b).status)).toEqual(['CANCELLED']);
    } finally {
      receiver.close();
    }
  });

  it("applies the instance's transformation both ways: imported rows in the common shape, exported records in it", async () => {
    const org = { authorization: server.auth };
    const mapped = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'bulk mapped' });
    const token = mapped.token;
    const definition = {
      fields: [
        { path: 'id', type: 'string' },
        { path: 'title', type: 'string' },
      ],
    };
    expect((await call(`${server.api}/organizations/objects/incidents/definitions`, { method: 'POST', headers: org, json: definition })).status).toBe(200);
    const transformation = {
      vendorName: 'issue',
      fields: [
        { path: 'id', type: 'string', vendorPath: 'id' },
        { path: 'title', type: 'string', vendorPath: 'fields.summary' },
      ],
      configuration: [{ type: 'passThrough', properties: { fromVendor: false, toVendor: true } }],
    };
    const put = await call(`${server.api}/instances/${mapped.id}/transformations/incidents`, {
      method: 'POST',
      headers: org,
      json: transformation,
    });
    expect(put.status).toBe(200);

    const form = new FormData();
    const row = { title: 'txbulk in my shape', fields: { project: { key: 'CE' }, issuetype: { name: 'Task' } } };
    form.append('file', new Blob([JSON.stringify([row])], { type: 'application/json' }), 'mine.json');
    const res = await fetch(`${server.api}/hubs/helpdesk/bulk/incidents`, { method: 'POST', headers: hub(token), body: form });
    const id = ((await res.json()) as any).id;
    let status: any;
    await waitFor(async () => {
      status = (await bulk(`/${id}/status`, token)).body;
      return status.status === 'COMPLETED';
    });
    expect(status.recordsCount).toBe(1);
    expect((await issuesWith('txbulk')).map((i) => i.fields.summary)).toEqual(['txbulk in my shape']);

    // The where names Jira's paths, as the hub's does; the records come in the common shape.
    const started = await call(
      `${server.api}/hubs/helpdesk/bulk/query?q=${encodeURIComponent("select * from incidents where fields.summary = 'txbulk in my shape'")}`,
      {
        method: 'POST',
        headers: hub(token),
      },
    );
    expect(started.status).toBe(200);
    await waitFor(async () => (await bulk(`/${(started.body as any).id}/status`, token)).body.status === 'COMPLETED');
    const text = await (await fetch(`${server.api}/hubs/helpdesk/bulk/${(started.body as any).id}/incidents`, { headers: hub(token) })).text();
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ id: expect.any(String), title: 'txbulk in my shape' }]);
  });

  it('deletes jobs past their retention with their rows and refused rows, and uploads abandoned a day ago', async () => {
    const records = [{ fields: { project: { key: 'NOPE' }, summary: 'kept a while' } }];
    const ended = await upload({ name: 'old.json', type: 'application/json', text: JSON.stringify(records) });
    expect(await finished(ended.body.id)).toMatchObject({ status: 'COMPLETED', recordsFailedCount: 1 });
    // An upload whose process died while it read the file: a job never queued, its rows half stored.
    const jobs = server.services.bulkJobs;
    const abandoned = await jobs.create({
      id: 'ab'.repeat(12),
      organization_id: (await server.store.db.selectFrom('instances').select('organization_id').where('id', '=', instance.id).executeTakeFirstOrThrow())
        .organization_id,
      instance_id: instance.id,
      kind: 'import',
      object_name: 'incidents',
      query: 'cut.ndjson',
      created_at: server.clock.now().toISOString(),
    });
    await jobs.appendInput(abandoned.id, 0, '{}\n');
    const rows = async (table: 'bulk_jobs' | 'bulk_chunks' | 'bulk_errors', column: 'id' | 'job_id', id: string) =>
      (await server.store.db.selectFrom(table).select(column).where(column, '=', id).execute()).length;

    // A day on, the abandoned upload goes; the ended job stays for its retention (7 days).
    server.clock.advance(86_400_000 + 60_000);
    await server.services.bulk.prune();
    expect(await rows('bulk_jobs', 'id', abandoned.id)).toBe(0);
    expect(await rows('bulk_chunks', 'job_id', abandoned.id)).toBe(0);
    expect((await bulk(`/${ended.body.id}/status`)).status).toBe(200);
    server.clock.advance(7 * 86_400_000);
    await server.services.bulk.prune();
    expect((await bulk(`/${ended.body.id}/status`)).status).toBe(404);
    expect(await rows('bulk_chunks', 'job_id', ended.body.id)).toBe(0);
    expect(await rows('bulk_errors', 'job_id', ended.body.id)).toBe(0);
  });

  it("shows an import only through its own instance's token", async () => {
    const started = await upload({ name: 'mine.json', type: 'application/json', text: '[]' });
    expect(await finished(started.body.id)).toMatchObject({ status: 'COMPLETED', recordsCount: 0, totalRecordsEstimate: 0 });
    const { token } = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'other' });
    expect((await bulk(`/${started.body.id}/status`, token)).status).toBe(404);
    expect((await bulk(`/${started.body.id}/errors`, token)).status).toBe(404);
  });

  it('drops the job of an upload whose client goes away in the middle of it, for each format', async () => {
    const url = new URL(`${server.api}/hubs/helpdesk/bulk/incidents`);
    for (const [name, type, start] of [
      ['cut.csv', 'text/csv', 'fields.summary\r\ncut one\r\ncut two\r\n'],
      ['cut.json', 'application/json', '[{"fields":{"summary":"cut one"}},'],
      ['cut.ndjson', 'application/x-ndjson', '{"fields":{"summary":"cut one"}}\n'],
    ] as const) {
      const boundary = 'cutboundary';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n${start}`;
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      socket.write(
        `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${hub().authorization}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n${head}`,
      );
      // The server has begun reading the file (its job is listed) when the client goes.
      const listed = async () => ((await bulk('/jobs?pageSize=200')).body as { query: string }[]).some((j) => j.query === name);
      await waitFor(listed);
      socket.destroy();
      await once(socket, 'close');
      // The job its reading made is dropped, as for a refused file, not left waiting for the rest.
      await waitFor(async () => !(await listed()));
    }
    expect(await issuesWith('cut')).toEqual([]);
  });
});

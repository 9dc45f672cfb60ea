/**
 * The helpdesk conformance suite: what any element of the helpdesk hub must do, checked over
 * HTTP against a running switchboard with an instance of the element, whatever its vendor.
 * A test runs it per element (`test/integration/helpdesk-conformance.test.ts`); a new element is
 * judged by it unchanged. It checks the hub's conventions only for the operations the element
 * implements.
 */

/** What the suite needs to know of one element: its instance, and vendor bodies it can write. */
export interface HelpdeskTarget {
  /** `<origin>/elements/api-v2/hubs/helpdesk` */
  hub: string;
  /** `User …, Organization …, Element <token>` of an instance of the element. */
  authorization: string;
  /**
   * The `METHOD path` operations the element implements (from its registration), and
   * `BULK export <object>` / `BULK import <object>` for the bulk jobs it serves.
   */
  operations: ReadonlySet<string>;
  /** A body of `POST incidents` the vendor accepts. */
  newIncident(summary: string): unknown;
  /** A body of `PATCH incidents/{id}` that changes the summary (or the vendor's word for it). */
  changeIncident(summary: string): unknown;
  /** A body of `POST incidents/{id}/comments`. */
  newComment(text: string): unknown;
  /** At least this many incidents exist before the suite runs (so paging has pages). */
  seededIncidents: number;
}

export interface ConformanceCheck {
  name: string;
  /** The operations the check needs; it is skipped (and says so) when the element lacks one. */
  needs: string[];
  run(target: HelpdeskTarget): Promise<void>;
}

export class ConformanceFailure extends Error {}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

async function send(target: HelpdeskTarget, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: target.authorization, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${target.hub}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

const idOf = (o: unknown): string => String((o as { id?: unknown }).id);

/** An error answer is the Open Connectors error body, with its request id in the header too. */
function expectErrorBody(a: Answer, status: number, what: string): void {
  expectThat(a.status === status, `${what}: expected HTTP ${status}, got ${a.status} ${a.text.slice(0, 200)}`);
  const b = a.body as { requestId?: unknown; message?: unknown };
  expectThat(
    typeof b === 'object' && b !== null && typeof b.requestId === 'string' && typeof b.message === 'string',
    `${what}: the error body needs requestId and message, got ${a.text.slice(0, 200)}`,
  );
  expectThat(a.headers.get('elements-request-id') === b.requestId, `${what}: Elements-Request-Id must equal the body's requestId`);
}

/** With `filter.response.nulls` at its default, no member of an answer is null. */
function expectNoNulls(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expectNoNulls(v, `${where}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      expectThat(v !== null, `${where}.${k} is null; the hub strips nulls by default`);
      expectNoNulls(v, `${where}.${k}`);
    }
  }
}

/** The ids of every incident, page by page with nextPage. */
async function walkIncidents(t: HelpdeskTarget, pageSize: number): Promise<string[]> {
  const seen: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const a: Answer = await send(t, 'GET', `incidents?pageSize=${pageSize}${token ? `&nextPage=${encodeURIComponent(token)}` : ''}`);
    expectThat(a.status === 200 && Array.isArray(a.body), `GET incidents, page ${pages + 1}: ${a.status}`);
    seen.push(...(a.body as unknown[]).map(idOf));
    token = a.headers.get('elements-next-page-token');
    expectThat(++pages < 10_000, 'paging does not end');
  } while (token);
  return seen;
}

/** Waits for a bulk job to end (a minute at most) and answers its last status. */
async function bulkJobEnd(t: HelpdeskTarget, id: string): Promise<{ status: string; recordsCount: number; recordsFailedCount: number }> {
  for (let i = 0; i < 600; i++) {
    const a = await send(t, 'GET', `bulk/${id}/status`);
    expectThat(a.status === 200, `GET bulk/${id}/status: ${a.status} ${a.text.slice(0, 200)}`);
    const status = a.body as { status: string; recordsCount: number; recordsFailedCount: number };
    if (!['CREATED', 'RUNNING'].includes(status.status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ConformanceFailure(`bulk job ${id} did not end within a minute`);
}

async function createIncident(target: HelpdeskTarget, summary: string): Promise<string> {
  const created = await send(target, 'POST', 'incidents', target.newIncident(summary));
  expectThat(created.status === 200, `POST incidents answered ${created.status}: ${created.text.slice(0, 300)}`);
  const id = idOf(created.body);
  expectThat(id !== 'undefined', 'POST incidents answered an object without id');
  return id;
}

export const helpdeskConformance: readonly ConformanceCheck[] = [
  {
    name: 'lists incidents as a bare array with the Elements-* paging headers',
    needs: ['GET incidents'],
    async run(t) {
      const a = await send(t, 'GET', 'incidents?pageSize=2');
      expectThat(a.status === 200 && Array.isArray(a.body), `GET incidents: expected a JSON array, got ${a.status}`);
      expectThat(a.headers.get('elements-returned-count') === String(a.body.length), 'Elements-Returned-Count must count the page');
      expectThat(a.body.length === Math.min(2, t.seededIncidents), `pageSize=2 must return 2 incidents, got ${a.body.length}`);
      expectThat(a.headers.get('elements-next-page-token') !== null, 'a page with more after it needs Elements-Next-Page-Token');
      expectNoNulls(a.body, 'incidents');
    },
  },
  {
    name: 'walks every incident once with nextPage',
    needs: ['GET incidents'],
    async run(t) {
      const seen = await walkIncidents(t, 7);
      expectThat(new Set(seen).size === seen.length, 'an incident came twice while paging');
      expectThat(seen.length >= t.seededIncidents, `paging returned ${seen.length} incidents, fewer than the ${t.seededIncidents} there are`);
    },
  },
  {
    name: 'creates, reads, changes and deletes an incident; a deleted one is a 404 with the error body',
    needs: ['POST incidents', 'GET incidents/:id', 'PATCH incidents/:id', 'DELETE incidents/:id'],
    async run(t) {
      const id = await createIncident(t, 'conformance: created');
      const read = await send(t, 'GET', `incidents/${encodeURIComponent(id)}`);
      expectThat(read.status === 200 && idOf(read.body) === id, `GET incidents/${id}: ${read.status}`);
      expectNoNulls(read.body, `incidents/${id}`);
      const changed = await send(t, 'PATCH', `incidents/${encodeURIComponent(id)}`, t.changeIncident('conformance: changed'));
      expectThat(changed.status === 200, `PATCH incidents/${id}: ${changed.status} ${changed.text.slice(0, 300)}`);
      expectThat(
        (await send(t, 'GET', `incidents/${encodeURIComponent(id)}`)).text.includes('conformance: changed'),
        'the change is not in the incident read after it',
      );
      const deleted = await send(t, 'DELETE', `incidents/${encodeURIComponent(id)}`);
      expectThat(deleted.status === 200, `DELETE incidents/${id}: ${deleted.status}`);
      expectErrorBody(await send(t, 'GET', `incidents/${encodeURIComponent(id)}`), 404, 'GET of a deleted incident');
    },
  },
  {
    name: 'answers an id that does not exist with 404 and the error body, never 5xx',
    needs: ['GET incidents/:id'],
    async run(t) {
      expectErrorBody(await send(t, 'GET', 'incidents/999999999'), 404, 'GET incidents/999999999');
      expectErrorBody(await send(t, 'GET', 'incidents/no-such-incident-0'), 404, 'GET incidents/no-such-incident-0');
    },
  },
  {
    name: 'refuses a where that is not CEQL with 400 and the error body',
    needs: ['GET incidents'],
    async run(t) {
      expectErrorBody(await send(t, 'GET', `incidents?where=${encodeURIComponent("summary = 'unclosed")}`), 400, 'an unclosed string in where');
    },
  },
  {
    name: 'adds, lists, reads and deletes a comment of an incident',
    needs: [
      'POST incidents',
      'POST incidents/:id/comments',
      'GET incidents/:id/comments',
      'GET incidents/:id/comments/:commentId',
      'DELETE incidents/:id/comments/:commentId',
    ],
    async run(t) {
      const incident = await createIncident(t, 'conformance: with a comment');
      const base = `incidents/${encodeURIComponent(incident)}/comments`;
      const added = await send(t, 'POST', base, t.newComment('conformance comment'));
      expectThat(added.status === 200, `POST ${base}: ${added.status} ${added.text.slice(0, 300)}`);
      const commentId = idOf(added.body);
      const list = await send(t, 'GET', base);
      expectThat(list.status === 200 && Array.isArray(list.body) && list.body.some((c) => idOf(c) === commentId), `GET ${base} must list the new comment`);
      expectThat((await send(t, 'GET', `${base}/${encodeURIComponent(commentId)}`)).status === 200, `GET ${base}/${commentId}`);
      expectThat((await send(t, 'DELETE', `${base}/${encodeURIComponent(commentId)}`)).status === 200, `DELETE ${base}/${commentId}`);
      expectErrorBody(await send(t, 'GET', `${base}/${encodeURIComponent(commentId)}`), 404, 'GET of a deleted comment');
    },
  },
  {
    name: 'lists each kind of reference data, and reads one of each by its id',
    needs: [],
    async run(t) {
      for (const resource of ['priorities', 'statuses', 'incident-types', 'projects']) {
        if (!t.operations.has(`GET ${resource}`)) continue;
        const list = await send(t, 'GET', resource);
        expectThat(list.status === 200 && Array.isArray(list.body) && list.body.length > 0, `GET ${resource}: expected a non-empty array, got ${list.status}`);
        if (!t.operations.has(`GET ${resource}/:id`)) continue;
        const first = idOf(list.body[0]);
        const one = await send(t, 'GET', `${resource}/${encodeURIComponent(first)}`);
        expectThat(one.status === 200 && idOf(one.body) === first, `GET ${resource}/${first}: ${one.status}`);
      }
    },
  },
  {
    name: 'exports every incident once in bulk, with the ids the hub lists',
    needs: ['GET incidents', 'BULK export incidents'],
    async run(t) {
      const listed = await walkIncidents(t, 100);
      const started = await send(t, 'POST', `bulk/query?q=${encodeURIComponent('select * from incidents')}`);
      expectThat(started.status === 200, `POST bulk/query: ${started.status} ${started.text.slice(0, 200)}`);
      const id = idOf(started.body);
      const end = await bulkJobEnd(t, id);
      expectThat(end.status === 'COMPLETED', `the export ended ${end.status}`);
      // One JSON object per line: the answer is read as text, not as one JSON document.
      const download = await fetch(`${t.hub}/bulk/${id}/incidents`, { headers: { authorization: t.authorization, accept: 'application/x-ndjson' } });
      expectThat(download.status === 200, `GET bulk/${id}/incidents: ${download.status}`);
      const records = (await download.text()).split('\n').filter(Boolean);
      const exported = records.map((line) => idOf(JSON.parse(line)));
      expectThat(new Set(exported).size === exported.length, 'an incident was exported twice');
      expectThat(
        [...exported].sort().join() === [...listed].sort().join(),
        `the export has ${exported.length} incidents, the hub lists ${listed.length}, or other ones`,
      );
      for (const line of records) expectNoNulls(JSON.parse(line), 'an exported incident');
    },
  },
  {
    name: 'imports rows in bulk: each created once, the rows the vendor refuses listed with its words',
    needs: ['GET incidents/:id', 'BULK import incidents'],
    async run(t) {
      const marker = `conformance-bulk-${Date.now()}`;
      // An empty record: no vendor creates an incident from nothing.
      const rows = [t.newIncident(`${marker} 1`), {}, t.newIncident(`${marker} 3`)];
      const form = new FormData();
      form.append('file', new Blob([rows.map((r) => JSON.stringify(r)).join('\n')], { type: 'application/x-ndjson' }), 'rows.ndjson');
      const res = await fetch(`${t.hub}/bulk/incidents`, { method: 'POST', headers: { authorization: t.authorization }, body: form });
      const text = await res.text();
      expectThat(res.status === 200, `POST bulk/incidents: ${res.status} ${text.slice(0, 200)}`);
      const id = idOf(JSON.parse(text));
      const end = await bulkJobEnd(t, id);
      expectThat(
        end.status === 'COMPLETED' && end.recordsCount === 2 && end.recordsFailedCount === 1,
        `the import ended ${end.status} with ${end.recordsCount} rows written and ${end.recordsFailedCount} refused; expected 2 and 1`,
      );
      const errors = await send(t, 'GET', `bulk/${id}/errors`);
      const refused = errors.body as { row: number; message: string; providerMessage?: string }[];
      expectThat(
        errors.status === 200 && refused.length === 1 && refused[0]!.row === 2,
        `GET bulk/${id}/errors: expected row 2, got ${errors.text.slice(0, 200)}`,
      );
      expectThat(typeof refused[0]!.providerMessage === 'string', "a refused row carries the vendor's message");
    },
  },
  {
    name: 'describes every object it lists in GET /objects',
    needs: [],
    async run(t) {
      const objects = await send(t, 'GET', 'objects');
      expectThat(objects.status === 200 && Array.isArray(objects.body), `GET objects: ${objects.status}`);
      for (const name of objects.body as string[]) {
        const meta = await send(t, 'GET', `objects/${encodeURIComponent(name)}/metadata`);
        const fields = (meta.body as { fields?: { vendorPath?: unknown }[] }).fields;
        expectThat(
          meta.status === 200 && Array.isArray(fields) && fields.every((f) => typeof f.vendorPath === 'string'),
          `GET objects/${name}/metadata: ${meta.status}`,
        );
      }
      expectErrorBody(await send(t, 'GET', 'objects/no-such-object/metadata'), 404, 'metadata of an object that does not exist');
    },
  },
];

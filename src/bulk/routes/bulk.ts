import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import { ApiError, badRequest, notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/keyset-cursor.ts';
import { errorResponses, NextPage, NoQuery, PageSize } from '../../platform/http/schemas.ts';
import type { BulkJobRow, BulkRepository } from '../bulk-repository.ts';
import type { BulkService } from '../bulk-service.ts';
import { csvLine, flatten } from '../csv.ts';

const JobId = Type.String({ pattern: '^[0-9a-f]{24}$', description: 'The id POST /bulk/query answered with' });
const HubParam = { hub: Type.String({ maxLength: 100, description: 'Any hub name; the instance decides' }) };

export const BulkStatusJson = Type.Object(
  {
    id: Type.String(),
    status: Type.String({ description: 'CREATED, RUNNING, COMPLETED, FAILED or CANCELLED' }),
    objectName: Type.String(),
    query: Type.String(),
    recordsCount: Type.Integer(),
    recordsFailedCount: Type.Integer(),
    totalRecordsEstimate: Type.Optional(Type.Integer({ description: 'What the vendor said the query matches' })),
    createdDate: Type.String(),
    updatedDate: Type.String(),
    completedDate: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { title: 'BulkJobStatus' },
);

const statusJson = (job: BulkJobRow) => ({
  id: job.id,
  status: job.status,
  objectName: job.object_name,
  query: job.query,
  recordsCount: job.records_count,
  recordsFailedCount: job.records_failed_count,
  ...(job.total_estimate !== null && { totalRecordsEstimate: job.total_estimate }),
  createdDate: job.created_at,
  updatedDate: job.updated_at,
  ...(job.finished_at !== null && { completedDate: job.finished_at }),
  ...(job.message !== null && { message: job.message }),
});

/** What the result is sent as, from the Accept header: NDJSON (for `application/json` too) or CSV. */
function formatOf(accept: string | undefined): 'ndjson' | 'json' | 'csv' {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('text/csv')) return 'csv';
  if (a.includes('application/x-ndjson')) return 'ndjson';
  return 'json';
}

/**
 * `/hubs/{hub}/bulk`: start an export (`POST …/query?q=select …`), follow it (`…/{id}/status`,
 * `…/jobs`), cancel it and download its result (`…/{id}/{objectName}` as NDJSON or CSV). A job
 * belongs to the instance whose token started it; any other caller gets a 404.
 */
export function registerBulkRoutes(app: FastifyInstance, deps: { bulk: BulkService; jobs: BulkRepository; instances: InstanceService }): void {
  const api = typed(app);
  const hubRoute = { config: { auth: 'hub' as const } };
  const tags = ['bulk'];

  const instanceOf = async (request: FastifyRequest) => {
    const instance = await deps.instances.byToken(identityOf(request));
    if (instance.disabled) throw new ApiError('INSTANCE_DISABLED');
    return instance;
  };
  const jobOf = async (request: FastifyRequest, id: string) => {
    const instance = await instanceOf(request);
    const job = await deps.jobs.find({ organizationId: instance.organizationId, instanceId: instance.id }, id);
    if (!job) throw notFound(`No bulk job ${id}`);
    return job;
  };

  api.post(
    '/hubs/:hub/bulk/query',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: 'Start a bulk export: q=select * from incidents [where …]',
        params: Type.Object(HubParam),
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 10_000, description: 'CEQL select' })) }),
        response: { 200: Type.Object({ id: Type.String(), status: Type.String() }), ...errorResponses },
      },
    },
    async (request) => {
      const job = await deps.bulk.createExport(await instanceOf(request), request.query.q);
      return { id: job.id, status: job.status };
    },
  );

  api.get(
    '/hubs/:hub/bulk/jobs',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: "The instance's bulk jobs, newest first",
        params: Type.Object(HubParam),
        querystring: Type.Object({ pageSize: Type.Optional(PageSize('50 by default, at most 200')), nextPage: Type.Optional(NextPage) }),
        response: { 200: Type.Array(BulkStatusJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const instance = await instanceOf(request);
      const list = `bulk:${instance.id}`;
      const cursor = request.query.nextPage === undefined ? undefined : decodeCursor(request.query.nextPage, list);
      if (cursor && !/^[0-9a-f]{24}$/.test(cursor.id)) throw badRequest('nextPage is not a token this server issued');
      const size = cursor?.pageSize ?? Math.min(Number(request.query.pageSize ?? 50), 200);
      const jobs = await deps.jobs.list(
        { organizationId: instance.organizationId, instanceId: instance.id },
        size,
        cursor && { createdAt: cursor.createdAt, id: cursor.id },
      );
      const last = jobs.at(-1);
      if (last && jobs.length === size)
        reply.header('Elements-Next-Page-Token', encodeCursor({ createdAt: last.created_at, id: last.id, pageSize: size, list }));
      reply.header('Elements-Returned-Count', String(jobs.length));
      return jobs.map(statusJson);
    },
  );

  api.get(
    '/hubs/:hub/bulk/:id/status',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: "A bulk job's status",
        params: Type.Object({ ...HubParam, id: JobId }),
        querystring: NoQuery,
        response: { 200: BulkStatusJson, ...errorResponses },
      },
    },
    async (request) => statusJson(await jobOf(request, request.params.id)),
  );

  api.put(
    '/hubs/:hub/bulk/:id/cancel',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: 'Cancel a bulk job: it stops before its next page',
        params: Type.Object({ ...HubParam, id: JobId }),
        querystring: NoQuery,
        response: { 200: BulkStatusJson, ...errorResponses },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id);
      await deps.bulk.cancel(job);
      return statusJson((await deps.jobs.byId(job.id))!);
    },
  );

  api.get(
    '/hubs/:hub/bulk/:id/:objectName',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: "A completed export's records: one JSON object per line (Accept: application/json or application/x-ndjson) or CSV (Accept: text/csv)",
        params: Type.Object({ ...HubParam, id: JobId, objectName: Type.String({ maxLength: 200 }) }),
        querystring: NoQuery,
        produces: ['application/json', 'application/x-ndjson', 'text/csv'],
        response: { 200: Type.Unknown({ description: 'NDJSON lines or CSV rows' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const job = await jobOf(request, request.params.id);
      if (job.object_name !== request.params.objectName)
        throw notFound(`Bulk job ${job.id} exported ${job.object_name}, not ${request.params.objectName.slice(0, 100)}`);
      if (job.status !== 'COMPLETED') throw new ApiError('CONFLICT', `Bulk job ${job.id} is ${job.status}; its records can be read once it is COMPLETED`);
      const format = formatOf(request.headers.accept);
      if (format === 'csv') {
        reply.header('content-type', 'text/csv');
        return reply.send(Readable.from(csvRows(deps.jobs, job.id)));
      }
      reply.header('content-type', format === 'ndjson' ? 'application/x-ndjson' : 'application/json');
      return reply.send(Readable.from(deps.jobs.chunks(job.id)));
    },
  );
}

/**
 * The result as CSV: a first pass over the stored pages collects the columns (the union of every
 * record's dotted paths, in the order first seen), a second writes the rows. Neither holds more
 * than one page.
 */
async function* csvRows(jobs: BulkRepository, jobId: string): AsyncGenerator<string> {
  const columns = new Map<string, number>();
  for await (const chunk of jobs.chunks(jobId)) {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      for (const path of flatten(JSON.parse(line)).keys()) if (!columns.has(path)) columns.set(path, columns.size);
    }
  }
  const names = [...columns.keys()];
  yield csvLine(names);
  for await (const chunk of jobs.chunks(jobId)) {
    let rows = '';
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      const cells = flatten(JSON.parse(line));
      rows += csvLine(names.map((n) => cells.get(n) ?? ''));
    }
    yield rows;
  }
}

import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { asyncCallbackUrl } from '../../platform/http/async-callback-url.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { OutboundPolicy } from '../../platform/outbound-policy.ts';
import { ApiError, badRequest, notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { decodeCursor, encodeCursor, keysetPage, setKeysetHeaders } from '../../platform/http/keyset-cursor.ts';
import { errorResponses, NextPage, NoQuery, PageSize } from '../../platform/http/schemas.ts';
import type { BulkRepository } from '../bulk-repository.ts';
import type { BulkService, StoredUpload } from '../bulk-service.ts';
import { BulkErrorJson, BulkStatusJson, statusJson } from '../bulk-status.ts';
import { csvLine, flatten } from '../csv.ts';

const JobId = Type.String({ pattern: '^[0-9a-f]{24}$', description: 'The id POST /bulk/query or /bulk/{objectName} answered with' });
const HubParam = { hub: Type.String({ maxLength: 100, description: 'Any hub name; the instance decides' }) };
const CallbackQuery = {
  callbackUrl: Type.Optional(
    Type.String({ maxLength: 2000, description: 'Where the status is POSTed when the job ends (or the Elements-Async-Callback-Url header)' }),
  ),
};
const Created = Type.Object({ id: Type.String(), status: Type.String() });
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
export function registerBulkRoutes(
  app: FastifyInstance,
  deps: { bulk: BulkService; jobs: BulkRepository; instances: InstanceService; uploadLimit: number; outboundPolicy: OutboundPolicy },
): void {
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
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 10_000, description: 'CEQL select' })), ...CallbackQuery }),
        response: { 200: Created, ...errorResponses },
      },
    },
    async (request) => {
      const instance = await instanceOf(request);
      const job = await deps.bulk.createExport(instance, request.query.q, asyncCallbackUrl(request, deps.outboundPolicy, request.query.callbackUrl));
      return { id: job.id, status: job.status };
    },
  );

  // Multipart parsing in a scope of its own: the plugin adds hooks to every route it sees.
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: deps.uploadLimit, files: 1, fields: 5, fieldSize: 64 * 1024 } });
    typed(scope).post(
      '/hubs/:hub/bulk/:objectName',
      {
        ...hubRoute,
        schema: {
          tags,
          summary:
            'Start a bulk import: multipart part "file" (CSV, a JSON array or NDJSON) and an optional part "metaData" {"identifierFieldName": "key", "path": "issues"} before it (path: the member of a JSON object that holds the records array)',
          params: Type.Object({ ...HubParam, objectName: Type.String({ maxLength: 200 }) }),
          querystring: Type.Object(CallbackQuery),
          consumes: ['multipart/form-data'],
          response: { 200: Created, ...errorResponses },
        },
      },
      async (request) => {
        const instance = await instanceOf(request);
        const callbackUrl = asyncCallbackUrl(request, deps.outboundPolicy, request.query.callbackUrl);
        if (!request.isMultipart()) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Upload the file as multipart/form-data with a part named "file"');
        let metaData: unknown;
        let stored: StoredUpload | undefined;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              if (part.fieldname !== 'metaData') continue;
              // Its rows are stored as the file arrives: a metaData after it would come too late.
              if (stored) throw badRequest('Send the metaData part before the file part');
              try {
                metaData = JSON.parse(String(part.value));
              } catch {
                throw badRequest('metaData is not JSON');
              }
              continue;
            }
            if (part.fieldname !== 'file' || stored) {
              await part.toBuffer().catch(() => undefined);
              continue;
            }
            stored = await deps.bulk.createImport(instance, request.params.objectName, {
              file: part.file,
              filename: part.filename,
              mimeType: part.mimetype,
              truncated: () => part.file.truncated,
              metaData,
              callbackUrl,
            });
          }
          if (!stored) throw badRequest('No file: send it in a multipart part named "file"');
          await deps.bulk.startImport(stored);
        } catch (err) {
          // Not started, its upload is unfinished: dropped now, or by the retention a day later.
          if (stored) {
            const job = stored.job;
            await deps.bulk.discard(job).catch((discardError: unknown) => {
              request.log.warn({ jobId: job.id, err: discardError }, 'an unstarted bulk upload could not be dropped; the retention drops it within a day');
            });
          }
          throw err;
        }
        return { id: stored.job.id, status: stored.job.status };
      },
    );
  });

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
      const { cursor, size } = keysetPage(request.query, list, { max: 200, isId: (id) => /^[0-9a-f]{24}$/.test(id) });
      const jobs = await deps.jobs.list(
        { organizationId: instance.organizationId, instanceId: instance.id },
        size,
        cursor && { createdAt: cursor.createdAt, id: cursor.id },
      );
      setKeysetHeaders(reply, jobs, size, list, (j) => ({ createdAt: j.created_at, id: j.id }));
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

  api.get(
    '/hubs/:hub/bulk/:id/errors',
    {
      ...hubRoute,
      schema: {
        tags,
        summary: "An import's rows the vendor refused, in row order",
        params: Type.Object({ ...HubParam, id: JobId }),
        querystring: Type.Object({ pageSize: Type.Optional(PageSize('100 by default, at most 500')), nextPage: Type.Optional(NextPage) }),
        response: { 200: Type.Array(BulkErrorJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const job = await jobOf(request, request.params.id);
      const list = `bulk-errors:${job.id}`;
      const cursor = request.query.nextPage === undefined ? undefined : decodeCursor(request.query.nextPage, list);
      const after = cursor === undefined ? 0 : Number(cursor.id);
      if (!Number.isSafeInteger(after) || after < 0) throw badRequest('nextPage is not a token this server issued');
      const size = cursor?.pageSize ?? Math.min(Number(request.query.pageSize ?? 100), 500);
      const rows = await deps.jobs.errors(job.id, after, size);
      const last = rows.at(-1);
      if (last && rows.length === size)
        reply.header('Elements-Next-Page-Token', encodeCursor({ createdAt: job.created_at, id: String(last.row), pageSize: size, list }));
      reply.header('Elements-Returned-Count', String(rows.length));
      return rows.map((r) => ({ row: r.row, ...(JSON.parse(r.data) as { record: unknown; message: string; providerMessage?: string }) }));
    },
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
      if (job.kind !== 'export') throw notFound(`Bulk job ${job.id} is an import; its refused rows are at /bulk/${job.id}/errors`);
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

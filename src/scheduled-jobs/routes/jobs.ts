import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { typed } from '../../platform/http/api-document.ts';
import { keysetPage, setKeysetHeaders } from '../../platform/http/keyset-cursor.ts';
import { routeAuthLookup } from '../../platform/http/route-lookup.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { setOwn } from '../../platform/own-properties.ts';
import { isSecretName, MASK, maskSecretQuery } from '../../platform/secret-names.ts';
import { jobScope, type ScheduledJobs } from '../scheduled-jobs.ts';
import type { ScheduledJob, ScheduledJobRepository } from '../scheduled-job-repository.ts';
import { JOB_ID, JobIdParams, JobJson, JobListQuery, NewJobBody } from '../schemas.ts';

/**
 * A call's JSON body as shown: the values of secret-named members masked, at any depth (a job
 * that creates an instance carries a password). The body's depth is bounded by the JSON parser.
 */
function maskedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskedJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value))
    setOwn(out, name, isSecretName(name) && member !== null && typeof member !== 'object' ? MASK : maskedJson(member));
  return out;
}

export function jobJson(job: ScheduledJob): JobJson {
  const masked = (values: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) out[name] = isSecretName(name) ? MASK : value;
    return out;
  };
  return {
    id: job.id,
    name: job.name,
    ...(job.description !== null && { description: job.description }),
    method: job.call.method,
    uri: maskSecretQuery(job.call.uri),
    query: masked(job.call.query),
    ...(job.call.body !== undefined && { body: maskedJson(job.call.body) }),
    headers: masked(job.call.headers),
    trigger: { cron: job.cron },
    createdDate: job.created_at,
    nextFireDate: job.next_fire_at,
    lastFire:
      job.last_fire_at === null
        ? null
        : {
            date: job.last_fire_at,
            status: job.last_status,
            requestId: job.last_request_id,
            ...(job.last_error !== null && { error: job.last_error }),
            finishedDate: job.last_finished_at,
          },
  };
}

/**
 * `/jobs` (open-connectors-api.md §9.3): calls of this API made on a cron trigger. Jobs belong to
 * the organization; a user outside its default account sees their own account's.
 */
export function registerJobRoutes(app: FastifyInstance, deps: { jobs: ScheduledJobs; repo: ScheduledJobRepository }): void {
  const api = typed(app);
  const routes = routeAuthLookup(app.routeTable);
  const tags = ['jobs'];
  api.post(
    '/jobs',
    {
      schema: {
        tags,
        summary:
          "Schedules a call of this API on a Quartz cron trigger (UTC), made as the caller with their secrets as they are at each fire and this request's Element token, unless headers.Authorization is given",
        querystring: NoQuery,
        body: NewJobBody,
        response: { 200: JobJson, ...errorResponses },
      },
    },
    async (request) => jobJson(await deps.jobs.create(identityOf(request), request.body, routes)),
  );
  api.get(
    '/jobs',
    {
      schema: {
        tags,
        summary: 'The scheduled jobs, newest first, paged with nextPage',
        querystring: JobListQuery,
        response: { 200: Type.Array(JobJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const scope = jobScope(identityOf(request));
      const list = `jobs:${scope.accountId ?? 'all'}`;
      const { cursor, size } = keysetPage(request.query, list, { max: 200, isId: (id) => JOB_ID.test(id) });
      const jobs = await deps.repo.list(scope, size, cursor);
      setKeysetHeaders(reply, jobs, size, list, (j) => ({ createdAt: j.created_at, id: j.id }));
      return jobs.map(jobJson);
    },
  );
  api.get(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'One scheduled job, with its next fire and the outcome of its last',
        params: JobIdParams,
        querystring: NoQuery,
        response: { 200: JobJson, ...errorResponses },
      },
    },
    async (request) => jobJson(await deps.jobs.get(identityOf(request), request.params.id)),
  );
  api.delete(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'Deletes a scheduled job: it fires no more (a call already running finishes)',
        params: JobIdParams,
        querystring: NoQuery,
        response: { 200: EmptyObject, ...errorResponses },
      },
    },
    async (request) => {
      await deps.jobs.delete(identityOf(request), request.params.id);
      return {};
    },
  );
}

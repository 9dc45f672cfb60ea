import { queryString } from '../../../platform/vendor-http/query-string.ts';
import { badRequest } from '../../../platform/errors.ts';
import type { HubContext, HubOperation, HubRequest, HubResult } from '../../../hubs/hub-contract.ts';
import { JiraApi, issuePath } from './jira-api.ts';
import { translateOrderBy, translateWhere, type IssueFilter, type JiraIssueLike } from './ceql-to-jql.ts';
import { fieldsByName, jiraFields } from './fields-cache.ts';

interface SearchResults {
  startAt: number;
  maxResults: number;
  total: number;
  issues: JiraIssueLike[];
}

/** Jira's own cap per search call; a hub page may need several calls to be filled. */
const JIRA_PAGE_MAX = 1000;
const MAX_CALLS_PER_PAGE = 20;
const LONG_JQL = 2000;

const zoneOf = (ctx: HubContext) => String((ctx.instance.vendorMeta.user as { timeZone?: string } | undefined)?.timeZone ?? 'UTC');

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object in Jira\'s shape, e.g. {"fields": {...}}');
  return body as Record<string, unknown>;
}

/**
 * `GET /incidents`: CEQL → JQL search, paged with Jira's `startAt`, filling the hub page across
 * several Jira calls when Jira clamps or when in-memory checks drop records. The next-page
 * token carries Jira's offset, so walking the pages returns every match exactly once.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/search-search
 */
export async function listIncidents(req: HubRequest, ctx: HubContext): Promise<HubResult> {
  const api = new JiraApi(ctx);
  const where = req.where ? translateWhere(req.where, zoneOf(ctx)) : { jql: '', filters: [] as IssueFilter[] };
  const jql = `${where.jql}${translateOrderBy(req.orderBy)}`.trim();
  const { pageSize } = req.paging;
  let startAt = req.paging.startAt;
  const items: JiraIssueLike[] = [];
  let total = 0;
  for (let calls = 0; calls < MAX_CALLS_PER_PAGE && items.length < pageSize; calls++) {
    const maxResults = Math.min(JIRA_PAGE_MAX, pageSize - items.length);
    const body = {
      jql,
      startAt,
      maxResults,
      ...(req.fields && { fields: req.fields.split(',') }),
      ...(req.query.expand && { expand: req.query.expand.split(',') }),
    };
    const res =
      jql.length > LONG_JQL
        ? await api.post<SearchResults>('/rest/api/2/search', body)
        : await api.get<SearchResults>(`/rest/api/2/search${queryString({ jql, startAt, maxResults, fields: req.fields, expand: req.query.expand })}`);
    total = res.total;
    for (const issue of res.issues) if (where.filters.every((f) => f(issue))) items.push(issue);
    startAt += res.issues.length;
    if (res.issues.length === 0 || startAt >= res.total) break;
  }
  return {
    kind: 'list',
    items,
    total: where.filters.length ? undefined : total,
    nextStartAt: startAt < total ? startAt : undefined,
  };
}

async function readIssue(api: JiraApi, idOrKey: string): Promise<unknown> {
  return api.get(issuePath(idOrKey));
}

type Ref = { id?: unknown; key?: unknown; name?: unknown };
const refOf = (value: unknown): Ref | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Ref) : undefined);
/** Whether a `{key}`, `{id}` or `{name}` reference names this Jira object. */
const names = (ref: Ref, current: { id: string; key?: string; name?: string }) =>
  (ref.id !== undefined && String(ref.id) === current.id) ||
  (ref.key !== undefined && current.key !== undefined && String(ref.key).toUpperCase() === current.key.toUpperCase()) ||
  (ref.name !== undefined && current.name !== undefined && String(ref.name) === current.name);

/**
 * Clients update with the body they created with, `fields.project` and `fields.issuetype`
 * included, but Jira's edit refuses `project` ("cannot be set"). Where they name what the issue
 * already has, they are dropped; another project is a 400, as Jira moves issues only in its UI.
 * A changed issue type goes on to Jira, which decides.
 */
export async function withoutUnchangedPlacement(api: JiraApi, idOrKey: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const fields = refOf(body.fields) as Record<string, unknown> | undefined;
  if (!fields || (fields.project === undefined && fields.issuetype === undefined)) return body;
  const current = await api.get<{ fields: { project: { id: string; key: string }; issuetype: { id: string; name: string } } }>(
    `${issuePath(idOrKey)}?fields=project,issuetype`,
  );
  const { project, issuetype, ...rest } = fields;
  const projectRef = refOf(project);
  if (project !== undefined && !(projectRef && names(projectRef, current.fields.project))) {
    throw badRequest(
      `fields.project names another project than the issue's (${current.fields.project.key}); Jira moves an issue to another project only through its web UI (More → Move)`,
    );
  }
  const typeRef = refOf(issuetype);
  const unchangedType = issuetype === undefined || (typeRef !== undefined && names(typeRef, current.fields.issuetype));
  return { ...body, fields: unchangedType ? rest : { ...rest, issuetype } };
}

export const incidentOperations: HubOperation[] = [
  { method: 'GET', path: 'incidents', list: true, handle: listIncidents },
  {
    // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-createIssue
    method: 'POST',
    path: 'incidents',
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const body = fieldsByName(objectBody(req.body), await jiraFields(api, ctx));
      const created = await api.post<{ id: string }>(`/rest/api/2/issue${queryString({ updateHistory: req.query.updateHistory })}`, body);
      return { kind: 'object', body: await readIssue(api, created.id) };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id',
    async handle(req, ctx) {
      const { expand, properties } = req.query;
      return new JiraApi(ctx).getObject(`${issuePath(req.params.id!)}${queryString({ fields: req.fields, expand, properties })}`);
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-editIssue
      method,
      path: 'incidents/:id',
      async handle(req, ctx) {
        const api = new JiraApi(ctx);
        const placed = await withoutUnchangedPlacement(api, req.params.id!, objectBody(req.body));
        const body = fieldsByName(placed, await jiraFields(api, ctx));
        await api.put(`${issuePath(req.params.id!)}${queryString({ notifyUsers: req.query.notifyUsers })}`, body);
        return { kind: 'object', body: await readIssue(api, req.params.id!) };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: 'incidents/:id',
    async handle(req, ctx) {
      await new JiraApi(ctx).delete(`${issuePath(req.params.id!)}${queryString({ deleteSubtasks: req.query.deleteSubtasks })}`);
      return { kind: 'empty' };
    },
  },
];

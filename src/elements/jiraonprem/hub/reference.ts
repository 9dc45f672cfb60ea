import type { Expr } from '../../../ceql/ast.ts';
import type { HubOperation, HubRequest } from '../../../hubs/hub-contract.ts';
import { pageInMemory } from '../../../hubs/paging.ts';
import { JiraApi, enc } from './jira-api.ts';
import { objectBody } from './incidents.ts';
import { forgetFields } from './fields-cache.ts';

/** Takes `name='value'` out of an AND-only `where`, for clauses Jira reads as parameters (`expand='lead'`). */
export function extractParam(where: Expr | undefined, name: string): { value: string | undefined; rest: Expr | undefined } {
  if (!where) return { value: undefined, rest: undefined };
  if (where.kind === 'compare' && where.op === '=' && where.field.name === name && where.value.kind === 'string')
    return { value: where.value.value, rest: undefined };
  if (where.kind === 'and') {
    const l = extractParam(where.left, name);
    const r = extractParam(where.right, name);
    const rest = l.rest && r.rest ? { kind: 'and' as const, left: l.rest, right: r.rest } : (l.rest ?? r.rest);
    return { value: l.value ?? r.value, rest };
  }
  return { value: undefined, rest: where };
}

/** A Jira list endpoint (bare array) with `where`, `orderBy` and paging applied in memory. */
const inMemoryList = (path: string, resource: string): HubOperation => ({
  method: 'GET',
  path: resource,
  list: true,
  async handle(req, ctx) {
    return pageInMemory(await new JiraApi(ctx).get<unknown[]>(path), req);
  },
});

const getOne = (resource: string, jiraPath: string): HubOperation => ({
  method: 'GET',
  path: `${resource}/:id`,
  async handle(req, ctx) {
    return { kind: 'object', body: await new JiraApi(ctx).get(`${jiraPath}/${enc(req.params.id!)}`) };
  },
});

/** Admin resources that Jira answers 201/200/204 for; the hub answers 200 with the object re-read. */
const crud = (resource: string, jiraPath: string, idOf: (created: Record<string, unknown>) => string): HubOperation[] => [
  {
    method: 'POST',
    path: resource,
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const created = await api.post<Record<string, unknown>>(jiraPath, objectBody(req.body));
      return { kind: 'object', body: await api.get(`${jiraPath}/${enc(idOf(created))}`) };
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      method,
      path: `${resource}/:id`,
      async handle(req, ctx) {
        const api = new JiraApi(ctx);
        await api.put(`${jiraPath}/${enc(req.params.id!)}`, objectBody(req.body));
        return { kind: 'object', body: await api.get(`${jiraPath}/${enc(req.params.id!)}`) };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: `${resource}/:id`,
    async handle(req, ctx) {
      await new JiraApi(ctx).delete(`${jiraPath}/${enc(req.params.id!)}`);
      return { kind: 'empty' };
    },
  },
];

async function listProjects(req: HubRequest, ctx: Parameters<HubOperation['handle']>[1]) {
  const { value: expand, rest } = extractParam(req.where, 'expand');
  const projects = await new JiraApi(ctx).get<unknown[]>(`/rest/api/2/project${expand ? `?expand=${enc(expand)}` : ''}`);
  return pageInMemory(projects, { ...req, where: rest });
}

/** Priorities, statuses, incident types, projects, fields and ping (open-connectors-api.md §4.2). */
export const referenceOperations: HubOperation[] = [
  inMemoryList('/rest/api/2/priority', 'priorities'),
  getOne('priorities', '/rest/api/2/priority'),
  inMemoryList('/rest/api/2/status', 'statuses'),
  getOne('statuses', '/rest/api/2/status'),
  inMemoryList('/rest/api/2/issuetype', 'incident-types'),
  getOne('incident-types', '/rest/api/2/issuetype'),
  ...crud('incident-types', '/rest/api/2/issuetype', (c) => String(c.id)),
  { method: 'GET', path: 'projects', list: true, handle: listProjects },
  getOne('projects', '/rest/api/2/project'),
  ...crud('projects', '/rest/api/2/project', (c) => String(c.key ?? c.id)),
  inMemoryList('/rest/api/2/field', 'fields'),
  {
    method: 'POST',
    path: 'fields',
    async handle(req, ctx) {
      const created = await new JiraApi(ctx).post('/rest/api/2/field', objectBody(req.body));
      // The cached field list would hide the new field from metadata and name mapping.
      await forgetFields(ctx);
      return { kind: 'object', body: created };
    },
  },
  {
    method: 'GET',
    path: 'ping',
    async handle(_req, ctx) {
      return { kind: 'object', body: await new JiraApi(ctx).get('/rest/api/2/myself') };
    },
  },
];

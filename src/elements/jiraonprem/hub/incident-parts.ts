import { notFound } from '../../../platform/errors.ts';
import type { HubOperation, HubResult } from '../../../hubs/hub-contract.ts';
import { pageInMemory } from '../../../hubs/paging.ts';
import { JiraApi, enc, issuePath } from './jira-api.ts';
import { objectBody } from './incidents.ts';

/** A Jira paged list (`{startAt, maxResults, total, <key>: [...]}`) as a hub page. */
function jiraPage(res: Record<string, unknown>, key: string, startAt: number): HubResult {
  const items = (res[key] as unknown[]) ?? [];
  const total = Number(res.total ?? items.length);
  const next = startAt + items.length;
  return { kind: 'list', items, total, nextStartAt: next < total && items.length > 0 ? next : undefined };
}

/** GET, PATCH/PUT and DELETE of one comment or worklog: `incidents/:id/<resource>/:<param>` ↔ Jira's `…/<jiraName>/{id}`. */
function childOperations(resource: string, jiraName: string, param: string): HubOperation[] {
  const path = `incidents/:id/${resource}/:${param}`;
  const jira = (req: { params: Record<string, string> }) => `${issuePath(req.params.id!)}/${jiraName}/${enc(req.params[param]!)}`;
  return [
    { method: 'GET', path, handle: async (req, ctx) => ({ kind: 'object', body: await new JiraApi(ctx).get(jira(req)) }) },
    ...(['PATCH', 'PUT'] as const).map(
      (method): HubOperation => ({
        method,
        path,
        handle: async (req, ctx) => ({ kind: 'object', body: await new JiraApi(ctx).put(jira(req), objectBody(req.body)) }),
      }),
    ),
    {
      method: 'DELETE',
      path,
      handle: async (req, ctx) => {
        await new JiraApi(ctx).delete(jira(req));
        return { kind: 'empty' };
      },
    },
  ];
}

/**
 * Comments, history, notifications, properties, worklogs and transitions of one incident.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue/{issueIdOrKey}/comment
 */
export const incidentPartOperations: HubOperation[] = [
  {
    method: 'GET',
    path: 'incidents/:id/comments',
    list: true,
    async handle(req, ctx) {
      const { startAt, pageSize } = req.paging;
      const res = await new JiraApi(ctx).get<Record<string, unknown>>(
        `${issuePath(req.params.id!)}/comment?startAt=${startAt}&maxResults=${pageSize}${req.query.expand ? `&expand=${enc(req.query.expand)}` : ''}`,
      );
      return jiraPage(res, 'comments', startAt);
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/comments',
    async handle(req, ctx) {
      return { kind: 'object', body: await new JiraApi(ctx).post(`${issuePath(req.params.id!)}/comment`, objectBody(req.body)) };
    },
  },
  ...childOperations('comments', 'comment', 'commentId'),
  {
    // DC has no changelog endpoint: the histories come with expand=changelog (jira-server.md §4.10).
    method: 'GET',
    path: 'incidents/:id/history',
    list: true,
    async handle(req, ctx) {
      const issue = await new JiraApi(ctx).get<{ changelog?: { histories?: unknown[] } }>(`${issuePath(req.params.id!)}?fields=created&expand=changelog`);
      return pageInMemory(issue.changelog?.histories ?? [], req);
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/history/:historyId',
    async handle(req, ctx) {
      const issue = await new JiraApi(ctx).get<{ changelog?: { histories?: { id: string }[] } }>(
        `${issuePath(req.params.id!)}?fields=created&expand=changelog`,
      );
      const history = issue.changelog?.histories?.find((h) => h.id === req.params.historyId);
      if (!history) throw notFound(`Incident ${req.params.id} has no history entry ${req.params.historyId}`);
      return { kind: 'object', body: history };
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/notifications',
    async handle(req, ctx) {
      await new JiraApi(ctx).post(`${issuePath(req.params.id!)}/notify`, objectBody(req.body));
      return { kind: 'empty' };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/properties',
    list: true,
    async handle(req, ctx) {
      const res = await new JiraApi(ctx).get<{ keys: unknown[] }>(`${issuePath(req.params.id!)}/properties`);
      return pageInMemory(res.keys, req);
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/properties/:key',
    async handle(req, ctx) {
      return { kind: 'object', body: await new JiraApi(ctx).get(`${issuePath(req.params.id!)}/properties/${enc(req.params.key!)}`) };
    },
  },
  {
    method: 'PUT',
    path: 'incidents/:id/properties/:key',
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      const path = `${issuePath(req.params.id!)}/properties/${enc(req.params.key!)}`;
      await api.put(path, req.body === undefined ? null : req.body);
      return { kind: 'object', body: await api.get(path) };
    },
  },
  {
    method: 'DELETE',
    path: 'incidents/:id/properties/:key',
    async handle(req, ctx) {
      await new JiraApi(ctx).delete(`${issuePath(req.params.id!)}/properties/${enc(req.params.key!)}`);
      return { kind: 'empty' };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/worklogs',
    list: true,
    async handle(req, ctx) {
      const res = await new JiraApi(ctx).get<{ worklogs: unknown[] }>(`${issuePath(req.params.id!)}/worklog`);
      return pageInMemory(res.worklogs, req);
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/worklogs',
    async handle(req, ctx) {
      const q = new URLSearchParams(Object.entries(req.query).filter(([k]) => ['adjustEstimate', 'newEstimate', 'reduceBy'].includes(k))).toString();
      return { kind: 'object', body: await new JiraApi(ctx).post(`${issuePath(req.params.id!)}/worklog${q ? `?${q}` : ''}`, objectBody(req.body)) };
    },
  },
  ...childOperations('worklogs', 'worklog', 'worklogId'),
  {
    method: 'GET',
    path: 'incidents/:id/transitions',
    list: true,
    async handle(req, ctx) {
      const res = await new JiraApi(ctx).get<{ transitions: unknown[] }>(
        `${issuePath(req.params.id!)}/transitions${req.query.expand ? `?expand=${enc(req.query.expand)}` : ''}`,
      );
      return pageInMemory(res.transitions, req);
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/transitions',
    async handle(req, ctx) {
      const api = new JiraApi(ctx);
      await api.post(`${issuePath(req.params.id!)}/transitions`, objectBody(req.body));
      return { kind: 'object', body: await api.get(issuePath(req.params.id!)) };
    },
  },
];

import { badRequest } from '../../../platform/errors.ts';
import type { Expr } from '../../../ceql/ast.ts';
import type { HubOperation } from '../../../hubs/hub-contract.ts';
import { JiraApi, enc } from './jira-api.ts';
import { objectBody } from './incidents.ts';

/** `where=username='x'` is a Jira search parameter, not a filter (D13): the only clause allowed. */
function usernameOf(where: Expr | undefined): string {
  if (where?.kind === 'compare' && where.op === '=' && where.field.name === 'username' && where.value.kind === 'string' && where.value.value !== '') {
    return where.value.value;
  }
  throw badRequest("where=username='...' is required: Jira Server searches users by login, display name or e-mail");
}

/**
 * Agents and contacts are Jira users; their id is the user `key`.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/user
 */
export const userOperations: HubOperation[] = (['agents', 'contacts'] as const).flatMap((resource): HubOperation[] => [
  {
    method: 'GET',
    path: resource,
    list: true,
    async handle(req, ctx) {
      const { startAt, pageSize } = req.paging;
      const max = Math.min(pageSize, 1000);
      const items = await new JiraApi(ctx).get<unknown[]>(
        `/rest/api/2/user/search?username=${enc(usernameOf(req.where))}&startAt=${startAt}&maxResults=${max}`,
      );
      return { kind: 'list', items, nextStartAt: items.length === max ? startAt + items.length : undefined };
    },
  },
  {
    method: 'GET',
    path: `${resource}/:key`,
    async handle(req, ctx) {
      return { kind: 'object', body: await new JiraApi(ctx).get(`/rest/api/2/user?key=${enc(req.params.key!)}`) };
    },
  },
  ...(resource === 'contacts'
    ? [
        {
          method: 'POST' as const,
          path: 'contacts',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            return { kind: 'object' as const, body: await new JiraApi(ctx).post('/rest/api/2/user', objectBody(req.body)) };
          },
        },
        ...(['PATCH', 'PUT'] as const).map((method) => ({
          method,
          path: 'contacts/:key',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            return { kind: 'object' as const, body: await new JiraApi(ctx).put(`/rest/api/2/user?key=${enc(req.params.key!)}`, objectBody(req.body)) };
          },
        })),
        {
          method: 'DELETE' as const,
          path: 'contacts/:key',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            await new JiraApi(ctx).delete(`/rest/api/2/user?key=${enc(req.params.key!)}`);
            return { kind: 'empty' as const };
          },
        },
      ]
    : []),
]);

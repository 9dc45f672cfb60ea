import { queryString } from '../../../platform/vendor-http/query-string.ts';
import type { Expr } from '../../../ceql/ast.ts';
import type { HubOperation } from '../../../hubs/hub-contract.ts';
import { badRequest } from '../../../platform/errors.ts';
import { REDMINE_PAGE_MAX } from './issues.ts';
import { RedmineApi, enc, objectBody } from './redmine-api.ts';

/** `where` on users: `name = '…'` (Redmine matches login, first or last name and e-mail) and `status = 1|2|3`, joined by `and`. */
function userFilters(where: Expr | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  const visit = (e: Expr): void => {
    if (e.kind === 'and') {
      visit(e.left);
      visit(e.right);
      return;
    }
    if (e.kind === 'compare' && e.op === '=' && e.field.name === 'name' && e.value.kind === 'string') params.name = e.value.value;
    else if (e.kind === 'compare' && e.op === '=' && e.field.name === 'status' && e.value.kind === 'number') params.status = String(e.value.value);
    else throw badRequest("Redmine filters users by name = '…' (login, name or e-mail) and status = 1 (active), 2 (registered) or 3 (locked), joined by and");
  };
  if (where) visit(where);
  return params;
}

const userPath = (id: string) => `/users/${enc(id)}.json`;
const EXAMPLE = '{"login": "…", "firstname": "…", "lastname": "…", "mail": "…"}';

/**
 * Agents and contacts are Redmine users (https://www.redmine.org/projects/redmine/wiki/Rest_Users);
 * listing them needs an administrator's credentials, as Redmine answers 403 to anyone else.
 */
export const userOperations: HubOperation[] = (['agents', 'contacts'] as const).flatMap((resource): HubOperation[] => [
  {
    method: 'GET',
    path: resource,
    list: true,
    async handle(req, ctx) {
      const { startAt, pageSize } = req.paging;
      const limit = Math.min(pageSize, REDMINE_PAGE_MAX);
      const page = await new RedmineApi(ctx).get<{ users: unknown[]; total_count: number }>(
        `/users.json${queryString({ ...userFilters(req.where), offset: startAt, limit })}`,
      );
      const next = startAt + page.users.length;
      return { kind: 'list', items: page.users, total: page.total_count, nextStartAt: next < page.total_count ? next : undefined };
    },
  },
  {
    method: 'GET',
    path: `${resource}/:key`,
    async handle(req, ctx) {
      return { kind: 'object', body: (await new RedmineApi(ctx).get<{ user: unknown }>(userPath(req.params.key!))).user };
    },
  },
  ...(resource === 'contacts'
    ? [
        {
          method: 'POST' as const,
          path: 'contacts',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            const created = await new RedmineApi(ctx).post<{ user: unknown }>('/users.json', { user: objectBody(req.body, EXAMPLE) });
            return { kind: 'object' as const, body: created.user };
          },
        },
        ...(['PATCH', 'PUT'] as const).map((method) => ({
          method,
          path: 'contacts/:key',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            const api = new RedmineApi(ctx);
            await api.put(userPath(req.params.key!), { user: objectBody(req.body, EXAMPLE) });
            return { kind: 'object' as const, body: (await api.get<{ user: unknown }>(userPath(req.params.key!))).user };
          },
        })),
        {
          method: 'DELETE' as const,
          path: 'contacts/:key',
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: Parameters<HubOperation['handle']>[1]) {
            await new RedmineApi(ctx).delete(userPath(req.params.key!));
            return { kind: 'empty' as const };
          },
        },
      ]
    : []),
]);

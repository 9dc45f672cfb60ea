import type { FastifyReply } from 'fastify';
import { parseWhere } from '../../ceql/index.ts';
import { encodeToken, queryHash, resolvePaging } from '../../hubs/paging.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Identity } from '../../auth/identity.ts';
import type { InstanceService } from '../instance-service.ts';
import type { InstanceOrder } from '../instance-repository.ts';
import { instanceJson } from '../views.ts';

import type { ListInstancesQuery } from '../schemas.ts';

/**
 * `GET /instances`: `tags[]` (any of them), CEQL `where` on id, name, element.key, disabled, valid
 * and tags, `searchText` in names and tags, `orderBy`, `hydrate=false` for a short element, and
 * optional `page`/`pageSize`/`nextPage` with the paging headers. The database filters, counts and
 * pages; only the instances of the page are read.
 */
export async function listInstances(
  q: ListInstancesQuery,
  identity: Identity,
  reply: FastifyReply,
  instances: InstanceService,
  registry: ElementRegistry,
  elementKey: string | undefined,
) {
  const tags = [...(q['tags[]'] ?? []), ...(q.tags ?? [])];
  const where = q.where;
  const [field, direction] = (q.orderBy ?? 'id asc').split(' ') as [InstanceOrder['field'], InstanceOrder['direction'] | undefined];
  const order: InstanceOrder = { field, direction: direction ?? 'asc' };
  // Paging only when asked for, with the hub's tokens (bound to this query, so `nextPage` works).
  const paged = q.pageSize !== undefined || q.nextPage !== undefined;
  const boundTo = queryHash(`instances${elementKey ? `:${elementKey}` : ''}`, where, JSON.stringify([tags, q.searchText, q.orderBy]));
  const paging = paged ? resolvePaging({ page: q.page, pageSize: q.pageSize, nextPage: q.nextPage }, boundTo) : undefined;
  const { items, total } = await instances.page(
    identity,
    { elementKey, tags, where: where ? parseWhere(where) : undefined, searchText: q.searchText, order },
    paging,
  );
  if (paging) {
    reply.header('Elements-Total-Count', String(total));
    if (paging.startAt + items.length < total)
      reply.header('Elements-Next-Page-Token', encodeToken({ startAt: paging.startAt + items.length, pageSize: paging.pageSize, q: boundTo }));
  }
  reply.header('Elements-Returned-Count', String(items.length));
  const hydrate = q.hydrate !== false;
  return items.map((i) => instanceJson(i, registry.find(i.elementKey)!, hydrate));
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseWhere, matches, readPath } from '../../ceql/index.ts';
import { badRequest } from '../../platform/errors.ts';
import { encodeToken, queryHash, resolvePaging } from '../../hubs/paging.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Instance } from '../instance-repository.ts';
import { instanceJson } from '../views.ts';

type Query = Record<string, string | string[] | undefined>;

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Fields `where` may use on instances (D10). */
const FILTERABLE: ReadonlySet<string> = new Set(['name', 'element.key', 'disabled', 'valid', 'id', 'tags']);

/**
 * `GET /instances`: `tags[]` (any of them), CEQL `where` on name, element.key, disabled and valid,
 * `hydrate=false` for a short element, and optional `page`/`pageSize` with the paging headers.
 */
export function listInstances(request: FastifyRequest, reply: FastifyReply, instances: Instance[], registry: ElementRegistry) {
  const q = request.query as Query;
  const tags = [...asList(q['tags[]']), ...asList(q.tags)];
  let items = tags.length ? instances.filter((i) => i.tags.some((t) => tags.includes(t))) : instances;
  const hydrate = q.hydrate !== 'false';
  const where = asList(q.where)[0];
  if (where) {
    const summaries = items.map((i) => ({ i, view: { id: i.id, name: i.name, valid: i.valid, disabled: i.disabled, tags: i.tags, element: { key: i.elementKey } } }));
    const expr = parseWhere(where);
    const check = (e: typeof expr): void => {
      if (e.kind === 'and' || e.kind === 'or') { check(e.left); check(e.right); return; }
      if (e.kind === 'not') { check(e.expr); return; }
      if (!FILTERABLE.has(e.field.name)) throw badRequest(`Instances cannot be filtered by ${e.field.name}; use name, element.key, disabled or valid`);
    };
    check(expr);
    items = summaries.filter((s) => matches(expr, s.view, readPath)).map((s) => s.i);
  }
  const total = items.length;
  // Paging only when asked for, with the hub's tokens (bound to this query, so `nextPage` works).
  if (q.pageSize !== undefined || q.nextPage !== undefined) {
    const first = (k: string) => asList(q[k])[0];
    const boundTo = queryHash('instances', where, tags.join(','));
    const { startAt, pageSize } = resolvePaging({ page: first('page'), pageSize: first('pageSize'), nextPage: first('nextPage') }, boundTo);
    items = items.slice(startAt, startAt + pageSize);
    reply.header('Elements-Total-Count', String(total));
    if (startAt + items.length < total) reply.header('Elements-Next-Page-Token', encodeToken({ startAt: startAt + items.length, pageSize, q: boundTo }));
  }
  reply.header('Elements-Returned-Count', String(items.length));
  return items.map((i) => instanceJson(i, registry.find(i.elementKey)!, hydrate));
}

import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { jsonObject as bodyOf, parseCount, parseId } from '../../platform/http/params.ts';
import { filterByWhere } from '../../platform/http/list-query.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { accountJson, userJson } from '../views.ts';

type Query = Record<string, string | undefined>;

/** `/accounts[...]`: sub-tenants of the organization, and their users. */
export function registerAccountRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get('/accounts', async (request) => {
    const q = request.query as Query;
    const all = (await tenancy.listAccounts(identityOf(request))).map(accountJson);
    const filtered = filterByWhere(all, q.where);
    const offset = parseCount(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const pageSize = parseCount(q.pageSize, 'pageSize', 200, 1000);
    return filtered.slice(offset, offset + pageSize);
  });

  app.post('/accounts', async (request) => accountJson(await tenancy.createAccount(identityOf(request), bodyOf(request.body))));

  app.get('/accounts/:id', async (request) => {
    const { id } = request.params as { id: string };
    return accountJson(await tenancy.getAccount(identityOf(request), parseId(id, 'Account')));
  });

  app.patch('/accounts/:id', async (request) => {
    const { id } = request.params as { id: string };
    return accountJson(await tenancy.updateAccount(identityOf(request), parseId(id, 'Account'), bodyOf(request.body)));
  });

  app.delete('/accounts/:id', async (request) => {
    const { id } = request.params as { id: string };
    await tenancy.deleteAccount(identityOf(request), parseId(id, 'Account'));
    return {};
  });

  app.get('/accounts/:id/users', async (request) => {
    const { id } = request.params as { id: string };
    const users = await tenancy.listUsers(identityOf(request), parseId(id, 'Account'));
    return filterByWhere(users.map((u) => userJson(u)), (request.query as Query).where);
  });

  app.post('/accounts/:id/users', async (request) => {
    const { id } = request.params as { id: string };
    const { user, secret } = await tenancy.createUser(identityOf(request), parseId(id, 'Account'), bodyOf(request.body));
    return userJson(user, secret);
  });

  app.get('/accounts/:id/users/:emailOrId', async (request) => {
    const { id, emailOrId } = request.params as { id: string; emailOrId: string };
    return userJson(await tenancy.findVisibleUser(identityOf(request), emailOrId, parseId(id, 'Account')));
  });

  app.patch('/accounts/:id/users/:emailOrId', async (request) => {
    const { id, emailOrId } = request.params as { id: string; emailOrId: string };
    return userJson(await tenancy.updateUser(identityOf(request), emailOrId, bodyOf(request.body), parseId(id, 'Account')));
  });
}

import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { jsonObject as bodyOf, parseId } from '../../platform/http/params.ts';
import { listQuery } from '../../platform/http/list-query.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { accountJson, userJson } from '../views.ts';


/** `/accounts[...]`: sub-tenants of the organization, and their users. */
export function registerAccountRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get('/accounts', async (request) => {
    return (await tenancy.listAccounts(identityOf(request), listQuery(request))).map(accountJson);
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
    return (await tenancy.listUsers(identityOf(request), listQuery(request), parseId(id, 'Account'))).map((u) => userJson(u));
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

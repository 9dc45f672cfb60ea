import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { isOrgAdmin } from '../../auth/identity.ts';
import type { PasswordCheck } from '../../auth/password-check.ts';
import { forbidden } from '../../platform/errors.ts';
import { jsonObject } from '../../platform/http/params.ts';
import { listQuery } from '../../platform/http/list-query.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { userJson } from '../views.ts';

type Params = { emailOrId: string };

/** `/organizations/users[...]` (org admins) and `/users[...]` (anyone, within what they may see). */
export function registerUserRoutes(app: FastifyInstance, tenancy: TenancyService, passwords: PasswordCheck): void {
  const requireOrgAdmin = (request: Parameters<typeof identityOf>[0]) => {
    const identity = identityOf(request);
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins can manage organization users');
    return identity;
  };

  app.post('/organizations/users', async (request) => {
    const { user, secret } = await tenancy.createUser(requireOrgAdmin(request), 'default', jsonObject(request.body));
    return userJson(user, secret);
  });

  app.get('/organizations/users', async (request) => {
    return (await tenancy.listUsers(requireOrgAdmin(request), listQuery(request))).map((u) => userJson(u));
  });

  app.get('/organizations/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    return userJson(await tenancy.findVisibleUser(requireOrgAdmin(request), emailOrId));
  });

  app.patch('/organizations/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    return userJson(await tenancy.updateUser(requireOrgAdmin(request), emailOrId, jsonObject(request.body)));
  });

  app.delete('/organizations/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    await tenancy.deleteUser(requireOrgAdmin(request), emailOrId);
    return {};
  });

  app.get('/users', async (request) => {
    return (await tenancy.listUsers(identityOf(request), listQuery(request))).map((u) => userJson(u));
  });

  /**
   * One user. With `elements-user-password: <that user's password>` the answer includes the
   * user's secret (§1.4); the password is checked like a sign-in, throttled per e-mail.
   */
  app.get('/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    const user = await tenancy.findVisibleUser(identityOf(request), emailOrId);
    const password = request.headers['elements-user-password'];
    if (typeof password !== 'string') return userJson(user);
    const verified = await passwords.verify(user.email, password);
    if (!verified || verified.id !== user.id) throw forbidden('elements-user-password is not the password of this user');
    return userJson(user, tenancy.userSecret(user));
  });

  app.patch('/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    return userJson(await tenancy.updateUser(identityOf(request), emailOrId, jsonObject(request.body)));
  });

  app.delete('/users/:emailOrId', async (request) => {
    const { emailOrId } = request.params as Params;
    await tenancy.deleteUser(identityOf(request), emailOrId);
    return {};
  });
}

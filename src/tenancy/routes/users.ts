import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { isOrgAdmin } from '../../auth/identity.ts';
import type { PasswordCheck } from '../../auth/password-check.ts';
import { forbidden } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { listQuery } from '../../platform/http/list-query.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { userJson } from '../views.ts';
import { ListQuery, ROLE_KEYS, UserBody, UserJson, UserParams } from '../schemas.ts';

/** `/organizations/users[...]` (org admins) and `/users[...]` (anyone, within what they may see). */
export function registerUserRoutes(app: FastifyInstance, tenancy: TenancyService, passwords: PasswordCheck): void {
  const api = typed(app);
  const requireOrgAdmin = (request: FastifyRequest) => {
    const identity = identityOf(request);
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins can manage organization users');
    return identity;
  };
  const tags = ['users'];
  const one = { 200: UserJson, ...errorResponses };
  const many = { 200: Type.Array(UserJson), ...errorResponses };
  const deleted = { 200: EmptyObject, ...errorResponses };

  api.post(
    '/organizations/users',
    { schema: { summary: 'Create a user in the default account; the answer carries its secret', tags, querystring: NoQuery, body: UserBody, response: one } },
    async (request) => {
      const { user, secret } = await tenancy.createUser(requireOrgAdmin(request), 'default', request.body);
      return userJson(user, secret);
    },
  );
  api.get('/organizations/users', { schema: { summary: "The organization's users", tags, querystring: ListQuery, response: many } }, async (request) =>
    (await tenancy.listUsers(requireOrgAdmin(request), listQuery(request.query))).map((u) => userJson(u)),
  );
  api.get(
    '/organizations/users/:emailOrId',
    { schema: { summary: 'One user of the organization', tags, params: UserParams, querystring: NoQuery, response: one } },
    async (request) => userJson(await tenancy.findVisibleUser(requireOrgAdmin(request), request.params.emailOrId)),
  );
  api.patch(
    '/organizations/users/:emailOrId',
    { schema: { summary: 'Change a user of the organization', tags, params: UserParams, querystring: NoQuery, body: UserBody, response: one } },
    async (request) => userJson(await tenancy.updateUser(requireOrgAdmin(request), request.params.emailOrId, request.body)),
  );
  api.delete(
    '/organizations/users/:emailOrId',
    { schema: { summary: 'Delete a user of the organization', tags, params: UserParams, querystring: NoQuery, response: deleted } },
    async (request) => {
      await tenancy.deleteUser(requireOrgAdmin(request), request.params.emailOrId);
      return {};
    },
  );

  api.get('/users', { schema: { summary: 'The users the caller may see', tags, querystring: ListQuery, response: many } }, async (request) =>
    (await tenancy.listUsers(identityOf(request), listQuery(request.query))).map((u) => userJson(u)),
  );

  /**
   * One user. With `elements-user-password: <that user's password>` the answer includes the
   * user's secret (§1.4); the password is checked like a sign-in, throttled per e-mail.
   */
  api.get(
    '/users/:emailOrId',
    {
      schema: {
        summary: "One user; with the header elements-user-password (that user's password) its secret too",
        tags,
        params: UserParams,
        querystring: NoQuery,
        headers: Type.Object({ 'elements-user-password': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: one,
      },
    },
    async (request) => {
      const user = await tenancy.findVisibleUser(identityOf(request), request.params.emailOrId);
      const password = request.headers['elements-user-password'];
      if (password === undefined) return userJson(user);
      const verified = await passwords.verify(user.email, password);
      if (!verified || verified.id !== user.id) throw forbidden('elements-user-password is not the password of this user');
      return userJson(user, tenancy.userSecret(user));
    },
  );
  api.patch(
    '/users/:emailOrId',
    { schema: { summary: 'Change a user', tags, params: UserParams, querystring: NoQuery, body: UserBody, response: one } },
    async (request) => userJson(await tenancy.updateUser(identityOf(request), request.params.emailOrId, request.body)),
  );
  const RoleParams = Type.Object({ ...UserParams.properties, roleKey: Type.String({ maxLength: 100, description: `One of ${ROLE_KEYS.join(', ')}` }) });
  const roleRoutes = [
    ['get', 'read', 'Whether a user has a role: the user, or 404'],
    ['put', 'grant', 'Grant a user a role (not to yourself; org-admin by organization admins to default-account users)'],
    ['delete', 'revoke', 'Take a role from a user (not from yourself)'],
  ] as const;
  for (const [method, change, summary] of roleRoutes) {
    api[method]('/users/:emailOrId/roles/:roleKey', { schema: { summary, tags, params: RoleParams, querystring: NoQuery, response: one } }, async (request) =>
      userJson(await tenancy.userRole(identityOf(request), request.params.emailOrId, request.params.roleKey, change)),
    );
  }
  api.delete(
    '/users/:emailOrId',
    { schema: { summary: 'Delete a user', tags, params: UserParams, querystring: NoQuery, response: deleted } },
    async (request) => {
      await tenancy.deleteUser(identityOf(request), request.params.emailOrId);
      return {};
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { listQuery } from '../../platform/http/list-query.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { accountJson, userJson } from '../views.ts';
import { AccountSettingsBody, AccountSettingsJson } from '../account-settings.ts';
import { AccountBody, AccountJson, AccountParams, AccountUserParams, ListQuery, UserBody, UserJson } from '../schemas.ts';

/** `/accounts[...]`: sub-tenants of the organization, and their users. */
export function registerAccountRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  const api = typed(app);
  const tags = ['accounts'];
  const account = { 200: AccountJson, ...errorResponses };
  const user = { 200: UserJson, ...errorResponses };

  api.get(
    '/accounts',
    { schema: { summary: "The organization's accounts", tags, querystring: ListQuery, response: { 200: Type.Array(AccountJson), ...errorResponses } } },
    async (request) => (await tenancy.listAccounts(identityOf(request), listQuery(request.query))).map(accountJson),
  );

  api.post(
    '/accounts',
    { schema: { summary: 'Create an account (externalId is required)', tags, querystring: NoQuery, body: AccountBody, response: account } },
    async (request) => accountJson(await tenancy.createAccount(identityOf(request), request.body)),
  );

  api.get('/accounts/:id', { schema: { summary: 'One account', tags, params: AccountParams, querystring: NoQuery, response: account } }, async (request) =>
    accountJson(await tenancy.getAccount(identityOf(request), Number(request.params.id))),
  );

  api.patch(
    '/accounts/:id',
    { schema: { summary: 'Change an account', tags, params: AccountParams, querystring: NoQuery, body: AccountBody, response: account } },
    async (request) => accountJson(await tenancy.updateAccount(identityOf(request), Number(request.params.id), request.body)),
  );

  api.delete(
    '/accounts/:id',
    {
      schema: {
        summary: 'Delete an account (not the default one)',
        tags,
        params: AccountParams,
        querystring: NoQuery,
        response: { 200: EmptyObject, ...errorResponses },
      },
    },
    async (request) => {
      await tenancy.deleteAccount(identityOf(request), Number(request.params.id));
      return {};
    },
  );

  api.get(
    '/accounts/:id/users',
    {
      schema: {
        summary: 'The users of an account',
        tags,
        params: AccountParams,
        querystring: ListQuery,
        response: { 200: Type.Array(UserJson), ...errorResponses },
      },
    },
    async (request) => (await tenancy.listUsers(identityOf(request), listQuery(request.query), Number(request.params.id))).map((u) => userJson(u)),
  );

  api.post(
    '/accounts/:id/users',
    {
      schema: {
        summary: 'Create a user in an account; the answer carries its secret',
        tags,
        params: AccountParams,
        querystring: NoQuery,
        body: UserBody,
        response: user,
      },
    },
    async (request) => {
      const { user: created, secret } = await tenancy.createUser(identityOf(request), Number(request.params.id), request.body);
      return userJson(created, secret);
    },
  );

  api.get(
    '/accounts/:id/users/:emailOrId',
    { schema: { summary: 'One user of an account', tags, params: AccountUserParams, querystring: NoQuery, response: user } },
    async (request) => userJson(await tenancy.findVisibleUser(identityOf(request), request.params.emailOrId, Number(request.params.id))),
  );

  api.patch(
    '/accounts/:id/users/:emailOrId',
    { schema: { summary: 'Change a user of an account', tags, params: AccountUserParams, querystring: NoQuery, body: UserBody, response: user } },
    async (request) => userJson(await tenancy.updateUser(identityOf(request), request.params.emailOrId, request.body, Number(request.params.id))),
  );

  const settings = { 200: AccountSettingsJson, ...errorResponses };
  api.get(
    '/accounts/:id/settings',
    { schema: { summary: "An account's settings", tags, params: AccountParams, querystring: NoQuery, response: settings } },
    async (request) => tenancy.accountSettings(identityOf(request), Number(request.params.id)),
  );
  for (const method of ['post', 'patch'] as const) {
    api[method](
      '/accounts/:id/settings',
      {
        schema: {
          summary: "Set an account's settings: those named change, the others are kept",
          tags,
          params: AccountParams,
          querystring: NoQuery,
          body: AccountSettingsBody,
          response: settings,
        },
      },
      async (request) => tenancy.changeAccountSettings(identityOf(request), Number(request.params.id), request.body),
    );
  }
}

import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { TenancyService } from '../tenancy-service.ts';
import { PasswordPolicyBody, PasswordPolicyJson } from '../password-policy.ts';

/**
 * `/organizations/password-policies`: the rules every password set in the organization must
 * meet. Any user of the organization reads them (to choose a password that passes); org admins
 * set and clear them. A password that breaks a rule is a 400 naming the rule.
 */
export function registerPasswordPolicyRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  const api = typed(app);
  const tags = ['users'];
  const answer = { 200: PasswordPolicyJson, ...errorResponses };
  api.get(
    '/organizations/password-policies',
    { schema: { summary: "The organization's password rules", tags, querystring: NoQuery, response: answer } },
    async (request) => tenancy.passwordPolicy(identityOf(request).organizationId),
  );
  api.put(
    '/organizations/password-policies',
    {
      schema: {
        summary: 'Set the password rules (org admins); members left out take their defaults, and passwords set from now on must meet them',
        tags,
        querystring: NoQuery,
        body: PasswordPolicyBody,
        response: answer,
      },
    },
    async (request) => tenancy.setPasswordPolicy(identityOf(request), request.body),
  );
  api.delete(
    '/organizations/password-policies',
    { schema: { summary: 'Back to the default password rules (org admins)', tags, querystring: NoQuery, response: answer } },
    async (request) => tenancy.clearPasswordPolicy(identityOf(request)),
  );
}

import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { LoginBody, LoginJson, SecretsJson } from '../schemas.ts';
import { isoSeconds, type Clock } from '../../platform/clock.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { TenancyRepository } from '../../tenancy/tenancy-repository.ts';
import type { ConsoleSessions } from '../console-sessions.ts';
import type { PasswordCheck } from '../password-check.ts';
import { SESSION_COOKIE } from '../console-session-auth.ts';

/** The signed-in user as the login and the session answer it (`LoginJson`). */
const signedInJson = (user: { email: string; first_name: string; last_name: string }) => ({
  email: user.email,
  firstName: user.first_name,
  lastName: user.last_name,
});

export interface ConsoleLoginDeps {
  tenancy: TenancyService;
  repo: TenancyRepository;
  sessions: ConsoleSessions;
  passwords: PasswordCheck;
  clock: Clock;
}

/**
 * The Cloud Elements console login that existing clients use to turn an e-mail and password
 * into secrets (open-connectors-api.md §1.4). Registered at the server root, not under the API
 * prefix. The POST answers 200 (clients do not follow redirects on POST).
 */
export function registerConsoleLogin(app: FastifyInstance, deps: ConsoleLoginDeps): void {
  const api = typed(app);
  const cookieOptions = { path: '/elements', httpOnly: true, sameSite: 'lax' as const, secure: 'auto' as const };
  const tags = ['console login'];
  // A cookie that names no live session is told apart from none, so the console can say the session ended.
  const signedIn = async (sessionId: string | undefined) => {
    if (!sessionId) throw new ApiError('NO_CONSOLE_SESSION');
    const user = await deps.sessions.find(sessionId);
    if (!user) throw new ApiError('CONSOLE_SESSION_ENDED');
    return user;
  };

  api.post(
    '/elements/j_spring_security_check',
    {
      config: { auth: 'none' },
      schema: {
        summary: 'Sign in with e-mail and password (form or JSON); sets the console session cookie',
        tags,
        querystring: NoQuery,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: LoginBody,
        response: { 200: LoginJson, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { j_username: email, j_password: password } = request.body;
      const user = await deps.passwords.verify(email, password);
      if (!user) throw new ApiError('BAD_CONSOLE_CREDENTIALS');
      await deps.repo.recordLogin(user.id, isoSeconds(deps.clock.now()));
      const sessionId = await deps.sessions.create(user.id);
      reply.setCookie(SESSION_COOKIE, sessionId, { ...cookieOptions, maxAge: deps.sessions.ttlSeconds });
      return signedInJson(user);
    },
  );

  api.get(
    '/elements/api-v1/ui/session',
    {
      config: { auth: 'none' },
      schema: {
        summary: 'The signed-in console user (session cookie); 401 when the session has ended',
        tags,
        querystring: NoQuery,
        response: { 200: LoginJson, ...errorResponses },
      },
    },
    async (request) => {
      return signedInJson(await signedIn(request.cookies[SESSION_COOKIE]));
    },
  );

  api.get(
    '/elements/api-v1/ui/getSecrets',
    {
      config: { auth: 'none' },
      schema: {
        summary: "The signed-in console user's secrets (session cookie)",
        tags,
        querystring: NoQuery,
        response: { 200: SecretsJson, ...errorResponses },
      },
    },
    async (request) => {
      const user = await signedIn(request.cookies[SESSION_COOKIE]);
      return deps.tenancy.secretsOf(user);
    },
  );

  api.post(
    '/elements/j_spring_security_logout',
    {
      config: { auth: 'none' },
      schema: { summary: 'End the console session', tags, querystring: NoQuery, response: { 200: EmptyObject, ...errorResponses } },
    },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await deps.sessions.destroy(sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return {};
    },
  );
}

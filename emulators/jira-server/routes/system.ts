import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Emulator } from '../emulator.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { hashToken } from '../state/seed.ts';

/** A default Jira's permissions: id, key, name, scope. */
const PERMISSIONS: [string, string, string, 'GLOBAL' | 'PROJECT'][] = [
  ['0', 'ADMINISTER', 'Jira Administrators', 'GLOBAL'],
  ['44', 'SYSTEM_ADMIN', 'Jira System Administrators', 'GLOBAL'],
  ['27', 'USER_PICKER', 'Browse Users', 'GLOBAL'],
  ['10', 'BROWSE_PROJECTS', 'Browse Projects', 'PROJECT'],
  ['11', 'CREATE_ISSUES', 'Create Issues', 'PROJECT'],
  ['12', 'EDIT_ISSUES', 'Edit Issues', 'PROJECT'],
  ['13', 'ASSIGN_ISSUES', 'Assign Issues', 'PROJECT'],
  ['15', 'ADD_COMMENTS', 'Add Comments', 'PROJECT'],
  ['16', 'DELETE_ISSUES', 'Delete Issues', 'PROJECT'],
  ['19', 'CREATE_ATTACHMENTS', 'Create Attachments', 'PROJECT'],
  ['20', 'WORK_ON_ISSUES', 'Work On Issues', 'PROJECT'],
  ['46', 'TRANSITION_ISSUES', 'Transition Issues', 'PROJECT'],
];

/** serverInfo, /status, /myself, mypermissions, cookie sessions and personal access tokens. */
export function registerSystemRoutes(app: FastifyInstance, em: Emulator): void {
  const anonymous = { config: { anonymous: true } };

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/serverInfo
  app.get('/rest/api/2/serverInfo', anonymous, async () => {
    const p = em.config.profile;
    const ser = em.serializer();
    return {
      baseUrl: em.baseUrl,
      version: p.version,
      versionNumbers: p.numbers,
      deploymentType: 'Server',
      // Jira's build number: 9.12.2 → 912002.
      buildNumber: p.numbers[0] * 100_000 + p.numbers[1] * 1_000 + p.numbers[2],
      buildDate: ser.date(Date.UTC(2025, 0, 15)),
      serverTime: ser.date(em.clock.now()),
      scmInfo: '3f6d2b1c9e8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
      serverTitle: 'Jira',
    };
  });

  app.get('/status', anonymous, async () => ({ state: 'RUNNING' }));

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/mypermissions
  // Project permissions follow browse rights (in the context given, or in any project); the
  // global ones belong to administrators.
  app.get('/rest/api/2/mypermissions', async (request, reply) => {
    const user = caller(request);
    const q = request.query as Record<string, string | undefined>;
    let projects = [...em.state.projects.values()];
    const issueRef = q.issueKey ?? q.issueId;
    const projectRef = q.projectKey ?? q.projectId;
    if (issueRef !== undefined) {
      const issue = em.state.issueByIdOrKey(issueRef);
      const project = issue && em.state.projects.get(issue.fields.project);
      if (!project || !em.state.canBrowse(user, project)) return jiraError(reply, 404, [`No issue with key or id '${issueRef}' was found.`]);
      projects = [project];
    } else if (projectRef !== undefined) {
      const project = em.state.projectByIdOrKey(projectRef);
      if (!project || !em.state.canBrowse(user, project)) return jiraError(reply, 404, [`No project with key or id '${projectRef}' was found.`]);
      projects = [project];
    }
    const admin = em.state.isAdmin(user);
    const inProject = projects.some((p) => em.state.canBrowse(user, p));
    return {
      permissions: Object.fromEntries(
        PERMISSIONS.map(([id, key, name, type]) => [
          key,
          { id, key, name, type, description: name, havePermission: type === 'GLOBAL' ? admin || key === 'USER_PICKER' : inProject },
        ]),
      ),
    };
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/myself
  app.get('/rest/api/2/myself', async (request) => em.serializer().user(caller(request), true));

  app.post('/rest/auth/1/session', anonymous, async (request, reply) => {
    if (!em.config.basicAuthEnabled) return jiraError(reply, 403, ['Login with username and password has been disabled on this instance.']);
    const body = (request.body ?? {}) as { username?: string; password?: string };
    const user = body.username ? em.state.userByName(body.username) : undefined;
    if (user?.captcha) {
      reply.header('X-Seraph-LoginReason', 'AUTHENTICATION_DENIED');
      reply.header('X-Authentication-Denied-Reason', `CAPTCHA_CHALLENGE; login-url=${em.baseUrl}/login.jsp`);
      return jiraError(reply, 403, ['Login denied']);
    }
    if (!user || user.password !== body.password) {
      if (user) {
        user.failedLogins++;
        if (em.config.lockoutThreshold > 0 && user.failedLogins >= em.config.lockoutThreshold) user.captcha = true;
      }
      reply.header('X-Seraph-LoginReason', 'AUTHENTICATED_FAILED');
      return jiraError(reply, 401, ['Login failed']);
    }
    user.failedLogins = 0;
    const id = em.sessions.create(user);
    reply.header('Set-Cookie', `JSESSIONID=${id}; Path=${em.config.contextPath || '/'}; HttpOnly`);
    return { session: { name: 'JSESSIONID', value: id }, loginInfo: { failedLoginCount: 0, loginCount: 1 } };
  });

  app.get('/rest/auth/1/session', async (request) => {
    const u = caller(request);
    return { self: em.serializer().api(`user?username=${u.name}`), name: u.name, loginInfo: { failedLoginCount: u.failedLogins, loginCount: 1 } };
  });

  app.delete('/rest/auth/1/session', async (request, reply) => {
    const id = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    if (!id || !em.sessions.userKey(id)) return jiraError(reply, 401, ['You are not authenticated.']);
    em.sessions.delete(id);
    return reply.code(204).send();
  });

  // Personal access tokens (8.14+): https://developer.atlassian.com/server/jira/platform/personal-access-token
  const patAvailable = (reply: Parameters<typeof jiraError>[0]) =>
    em.config.profile.personalAccessTokens ? undefined : jiraError(reply, 404, ['null for uri']);
  const patJson = (t: { id: number; name: string; createdAt: number; expiringAt: number | null }) => {
    const ser = em.serializer();
    return { id: t.id, name: t.name, createdAt: ser.date(t.createdAt), ...(t.expiringAt !== null && { expiringAt: ser.date(t.expiringAt) }) };
  };
  app.post('/rest/pat/latest/tokens', async (request, reply) => {
    if (patAvailable(reply)) return reply;
    const body = (request.body ?? {}) as { name?: unknown; expirationDuration?: unknown };
    if (typeof body.name !== 'string' || body.name.trim() === '') return jiraError(reply, 400, ['Token name is required']);
    const days = body.expirationDuration === undefined ? null : Number(body.expirationDuration);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 365))
      return jiraError(reply, 400, ['expirationDuration must be between 1 and 365 days']);
    const raw = randomBytes(33).toString('base64').replace(/[+/=]/g, 'x');
    const now = em.clock.now();
    const token = {
      id: ++em.state.counters.token,
      name: body.name,
      tokenHash: hashToken(raw),
      createdAt: now,
      expiringAt: days === null ? null : now + days * 86_400_000,
    };
    caller(request).tokens.push(token);
    return reply.code(201).send({ ...patJson(token), rawToken: raw });
  });
  app.get('/rest/pat/latest/tokens', async (request, reply) => {
    if (patAvailable(reply)) return reply;
    return caller(request).tokens.map(patJson);
  });
  app.delete('/rest/pat/latest/tokens/:id', async (request, reply) => {
    if (patAvailable(reply)) return reply;
    const u = caller(request);
    const id = Number((request.params as { id: string }).id);
    if (!u.tokens.some((t) => t.id === id)) return jiraError(reply, 404, ['Token not found']);
    u.tokens = u.tokens.filter((t) => t.id !== id);
    return reply.code(204).send();
  });
}

import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { User } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { objectBody, pageParams, requireAdmin } from './helpers.ts';

/** Jira's user search matches the start of the login, the e-mail, the display name or any of its words. */
export function userMatches(u: User, query: string): boolean {
  const q = query.toLowerCase();
  return (
    u.name.toLowerCase().startsWith(q) ||
    u.emailAddress.toLowerCase().startsWith(q) ||
    u.displayName.toLowerCase().startsWith(q) ||
    u.displayName
      .toLowerCase()
      .split(/\s+/)
      .some((w) => w.startsWith(q))
  );
}

/** Users and groups (jira-server.md §4.14). */
export function registerUserRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();
  const lookup = (q: { username?: string; key?: string }): User | undefined =>
    q.key !== undefined ? em.state.userByKey(q.key) : q.username !== undefined ? em.state.userByName(q.username) : undefined;

  app.get('/rest/api/2/user', async (request, reply) => {
    const q = request.query as { username?: string; key?: string; expand?: string };
    if (q.username === undefined && q.key === undefined) return jiraError(reply, 404, ['The username query parameter was not provided']);
    const u = lookup(q);
    if (!u)
      return jiraError(reply, 404, [q.key !== undefined ? `The user with key '${q.key}' does not exist` : `The user named '${q.username}' does not exist`]);
    return ser().user(u, true);
  });

  app.post('/rest/api/2/user', async (request, reply) => {
    if (!requireAdmin(em, request, reply, 'You must have global administrator rights in order to modify users.')) return reply;
    const b = objectBody(request);
    const errors: Record<string, string> = {};
    if (typeof b.name !== 'string' || b.name.trim() === '') errors.username = 'You must specify a username.';
    else if (em.state.userByName(b.name)) errors.username = 'A user with that username already exists.';
    if (typeof b.emailAddress !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(b.emailAddress)) errors.email = 'You must specify a valid email address.';
    if (typeof b.displayName !== 'string' || b.displayName.trim() === '') errors.displayName = 'You must specify a full name.';
    if (Object.keys(errors).length) return jiraError(reply, 400, [], errors);
    const key = `JIRAUSER${em.state.next('user')}`;
    const u: User = {
      key,
      name: String(b.name),
      displayName: String(b.displayName),
      emailAddress: String(b.emailAddress),
      password: typeof b.password === 'string' ? b.password : `${key}-unset-${Math.random()}`,
      timeZone: em.config.instanceZone,
      active: true,
      groups: ['jira-users'],
      failedLogins: 0,
      captcha: false,
      tokens: [],
      properties: new Map(),
    };
    em.state.users.set(key, u);
    return reply.code(201).send(ser().user(u, true));
  });

  // Jira DC 10.3 `changeUserPassword`: an administrator sets anybody's password; a user sets
  // their own only with the current one. 204 with no body.
  app.put('/rest/api/2/user/password', async (request, reply) => {
    const u = lookup(request.query as { username?: string; key?: string });
    const admin = em.state.isAdmin(caller(request));
    if (!u) return admin ? jiraError(reply, 404, ['The user does not exist']) : jiraError(reply, 403, ['You do not have permission to change this password.']);
    if (!admin && caller(request).key !== u.key) return jiraError(reply, 403, ['You do not have permission to change this password.']);
    const b = objectBody(request);
    if (typeof b.password !== 'string' || b.password === '') return jiraError(reply, 400, [], { password: 'You must specify a password.' });
    if (!admin && b.currentPassword !== u.password) return jiraError(reply, 400, [], { currentPassword: 'The current password was incorrect.' });
    u.password = b.password;
    return reply.code(204).send();
  });

  app.put('/rest/api/2/user', async (request, reply) => {
    const q = request.query as { username?: string; key?: string };
    const u = lookup(q);
    if (!u) return jiraError(reply, 404, ['The user does not exist']);
    if (!em.state.isAdmin(caller(request)) && caller(request).key !== u.key)
      return jiraError(reply, 403, ['You must have global administrator rights in order to modify users.']);
    const b = objectBody(request);
    if (typeof b.displayName === 'string' && b.displayName.trim() !== '') u.displayName = b.displayName;
    if (typeof b.emailAddress === 'string') {
      if (!/^[^\s@]+@[^\s@]+$/.test(b.emailAddress)) return jiraError(reply, 400, [], { email: 'You must specify a valid email address.' });
      u.emailAddress = b.emailAddress;
    }
    if (typeof b.name === 'string' && b.name !== u.name) {
      if (em.state.userByName(b.name)) return jiraError(reply, 400, [], { username: 'A user with that username already exists.' });
      u.name = b.name;
    }
    if (typeof b.active === 'boolean') u.active = b.active;
    return ser().user(u, true);
  });

  app.delete('/rest/api/2/user', async (request, reply) => {
    if (!requireAdmin(em, request, reply, 'You must have global administrator rights in order to modify users.')) return reply;
    const u = lookup(request.query as { username?: string; key?: string });
    if (!u) return jiraError(reply, 404, ['The user does not exist']);
    if (u.key === caller(request).key) return jiraError(reply, 400, ['You cannot delete the currently logged in user.']);
    em.state.users.delete(u.key);
    return reply.code(204).send();
  });

  // A bare array; `username` is required in practice although the OpenAPI document marks it optional.
  app.get('/rest/api/2/user/search', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.username === undefined || q.username === '') return jiraError(reply, 400, ['The username query parameter was not provided']);
    const { startAt, maxResults } = pageParams(q, 50, 1000);
    const includeInactive = q.includeInactive === 'true';
    const includeActive = q.includeActive !== 'false';
    const found = [...em.state.users.values()]
      .filter((u) => userMatches(u, q.username!) && (u.active ? includeActive : includeInactive))
      .sort((a, b) => a.name.localeCompare(b.name));
    return found.slice(startAt, startAt + maxResults).map((u) => ser().user(u));
  });

  app.get('/rest/api/2/user/assignable/search', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (!q.project && !q.issueKey) return jiraError(reply, 400, ['The project or issueKey parameter is required']);
    const { startAt, maxResults } = pageParams(q, 50, 1000);
    const found = [...em.state.users.values()].filter((u) => u.active && (!q.username || userMatches(u, q.username)));
    return found.slice(startAt, startAt + maxResults).map((u) => ser().user(u));
  });

  app.get('/rest/api/2/user/picker', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const { maxResults } = pageParams(q, 50, 1000);
    const found = [...em.state.users.values()].filter((u) => u.active && userMatches(u, q.query ?? ''));
    const shown = found.slice(0, maxResults);
    return {
      users: shown.map((u) => ({
        name: u.name,
        key: u.key,
        html: `${u.displayName} - ${u.emailAddress} (${u.name})`,
        displayName: u.displayName,
        avatarUrl: ser().avatarUrls('user', u.name, 10122)['16x16'],
      })),
      total: found.length,
      header: `Showing ${shown.length} of ${found.length} matching users`,
    };
  });

  app.get('/rest/api/2/groups/picker', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const { maxResults } = pageParams(q, 20, 1000);
    const found = [...em.state.groups.values()].filter((g) => g.name.toLowerCase().includes((q.query ?? '').toLowerCase()));
    const shown = found.slice(0, maxResults);
    return {
      header: `Showing ${shown.length} of ${found.length} matching groups`,
      total: found.length,
      groups: shown.map((g) => ({ name: g.name, html: g.name, labels: [] })),
    };
  });

  app.get('/rest/api/2/group/member', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (!q.groupname || !em.state.groups.has(q.groupname)) return jiraError(reply, 404, [`Specified group '${q.groupname}' does not exist.`]);
    const { startAt, maxResults } = pageParams(q, 50, 1000);
    const members = [...em.state.users.values()].filter((u) => u.groups.includes(q.groupname!) && (u.active || q.includeInactiveUsers === 'true'));
    const values = members.slice(startAt, startAt + maxResults).map((u) => ser().user(u));
    return {
      self: ser().api(`group/member?groupname=${encodeURIComponent(q.groupname)}`),
      maxResults,
      startAt,
      total: members.length,
      isLast: startAt + values.length >= members.length,
      values,
    };
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Issue, RemoteLink } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError, notFoundIssue } from '../replies.ts';
import { objectBody, visibleIssue } from './helpers.ts';

const ref = (value: unknown): { id?: unknown; key?: unknown; name?: unknown } | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown; key?: unknown; name?: unknown }) : undefined;

/** Watchers and votes of an issue, its remote links, and links between issues. */
export function registerLinkRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-addWatcher
  // The body is a JSON string, the user's name; without one, the caller watches.
  app.post('/rest/api/2/issue/:issueIdOrKey/watchers', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const name = request.body === undefined ? caller(request).name : request.body;
    if (typeof name !== 'string') return jiraError(reply, 400, ['The body must be the name of the user, as a JSON string.']);
    const user = em.state.userByName(name);
    if (!user) return jiraError(reply, 404, [`The user "${name}" does not exist.`]);
    if (user !== caller(request) && !em.state.isAdmin(caller(request)))
      return jiraError(reply, 401, ['User does not have permission to manage the watcher list of this issue.']);
    if (!issue.watcherKeys.includes(user.key)) issue.watcherKeys.push(user.key);
    return reply.code(204).send();
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/watchers', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { username } = request.query as { username?: string };
    if (!username) return jiraError(reply, 400, ['Parameter "username" is required.']);
    const user = em.state.userByName(username);
    if (!user) return jiraError(reply, 404, [`The user "${username}" does not exist.`]);
    if (user !== caller(request) && !em.state.isAdmin(caller(request)))
      return jiraError(reply, 401, ['User does not have permission to manage the watcher list of this issue.']);
    issue.watcherKeys = issue.watcherKeys.filter((k) => k !== user.key);
    return reply.code(204).send();
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-getVotes
  app.get('/rest/api/2/issue/:issueIdOrKey/votes', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    return {
      self: ser().api(`issue/${issue.key}/votes`),
      votes: issue.voterKeys.length,
      hasVoted: issue.voterKeys.includes(caller(request).key),
      voters: issue.voterKeys.map((k) => ser().userByKey(k)),
    };
  });

  app.post('/rest/api/2/issue/:issueIdOrKey/votes', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const user = caller(request);
    if (issue.fields.reporter === user.key) return jiraError(reply, 404, ['You cannot vote for an issue you have reported.']);
    if (issue.fields.resolution !== null) return jiraError(reply, 404, ['You cannot vote for a resolved issue.']);
    if (!issue.voterKeys.includes(user.key)) issue.voterKeys.push(user.key);
    return reply.code(204).send();
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/votes', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const user = caller(request);
    if (issue.fields.reporter === user.key) return jiraError(reply, 404, ['You cannot vote for an issue you have reported.']);
    issue.voterKeys = issue.voterKeys.filter((k) => k !== user.key);
    return reply.code(204).send();
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue/{issueIdOrKey}/remotelink
  function remoteLinkOf(issue: Issue, request: FastifyRequest, reply: FastifyReply): RemoteLink | undefined {
    const { linkId } = request.params as { linkId: string };
    const link = issue.remoteLinks.find((l) => String(l.id) === linkId);
    if (!link) jiraError(reply, 404, [`No link found for id ${linkId}.`]);
    return link;
  }

  /** A remote link body's members; answers Jira's 400 when `object.url` or `object.title` is missing. */
  function remoteLinkInput(reply: FastifyReply, b: Record<string, unknown>): Omit<RemoteLink, 'id'> | undefined {
    const object = ref(b.object) as Record<string, unknown> | undefined;
    const errors: Record<string, string> = {};
    if (!object || typeof object.url !== 'string' || object.url === '') errors.url = "'url' is a required field.";
    if (!object || typeof object.title !== 'string' || object.title === '') errors.title = "'title' is a required field.";
    if (Object.keys(errors).length) {
      jiraError(reply, 400, [], errors);
      return undefined;
    }
    return {
      globalId: typeof b.globalId === 'string' ? b.globalId : null,
      application: (ref(b.application) as Record<string, unknown> | undefined) ?? null,
      relationship: typeof b.relationship === 'string' ? b.relationship : null,
      object: object!,
    };
  }

  app.get('/rest/api/2/issue/:issueIdOrKey/remotelink', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { globalId } = request.query as { globalId?: string };
    if (globalId === undefined) return issue.remoteLinks.map((l) => ser().remoteLink(issue, l));
    const link = issue.remoteLinks.find((l) => l.globalId === globalId);
    return link ? ser().remoteLink(issue, link) : jiraError(reply, 404, [`No link found for globalId ${globalId}.`]);
  });

  // A globalId that exists updates that link (200); otherwise a new one is made (201).
  app.post('/rest/api/2/issue/:issueIdOrKey/remotelink', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const input = remoteLinkInput(reply, objectBody(request));
    if (!input) return reply;
    const existing = input.globalId === null ? undefined : issue.remoteLinks.find((l) => l.globalId === input.globalId);
    if (existing) {
      Object.assign(existing, input);
      return reply.code(200).send({ id: existing.id, self: ser().api(`issue/${issue.key}/remotelink/${existing.id}`) });
    }
    const link: RemoteLink = { id: em.state.next('remoteLink'), ...input };
    issue.remoteLinks.push(link);
    return reply.code(201).send({ id: link.id, self: ser().api(`issue/${issue.key}/remotelink/${link.id}`) });
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/remotelink', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { globalId } = request.query as { globalId?: string };
    if (globalId === undefined) return jiraError(reply, 400, ['The globalId query parameter is required.']);
    const before = issue.remoteLinks.length;
    issue.remoteLinks = issue.remoteLinks.filter((l) => l.globalId !== globalId);
    return before === issue.remoteLinks.length ? jiraError(reply, 404, [`No link found for globalId ${globalId}.`]) : reply.code(204).send();
  });

  app.get('/rest/api/2/issue/:issueIdOrKey/remotelink/:linkId', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const link = remoteLinkOf(issue, request, reply);
    return link ? ser().remoteLink(issue, link) : reply;
  });

  app.put('/rest/api/2/issue/:issueIdOrKey/remotelink/:linkId', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const link = remoteLinkOf(issue, request, reply);
    if (!link) return reply;
    const input = remoteLinkInput(reply, objectBody(request));
    if (!input) return reply;
    Object.assign(link, input);
    return reply.code(204).send();
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/remotelink/:linkId', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const link = remoteLinkOf(issue, request, reply);
    if (!link) return reply;
    issue.remoteLinks = issue.remoteLinks.filter((l) => l !== link);
    return reply.code(204).send();
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issueLinkType
  app.get('/rest/api/2/issueLinkType', async () => ({ issueLinkTypes: em.state.linkTypes.map((t) => ser().linkType(t)) }));

  /** An issue named by `{key}` or `{id}` that the caller may browse. */
  const linkedIssue = (request: FastifyRequest, value: unknown): Issue | undefined => {
    const r = ref(value);
    const issue = r && em.state.issueByIdOrKey(String(r.key ?? r.id ?? ''));
    return issue && em.state.canBrowse(caller(request), em.state.projects.get(issue.fields.project)!) ? issue : undefined;
  };

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issueLink-linkIssues
  // The inward issue is the link's source: for Blocks, "inward blocks outward".
  app.post('/rest/api/2/issueLink', async (request, reply) => {
    const b = objectBody(request);
    const t = ref(b.type);
    const type = t && em.state.linkTypes.find((x) => (t.id !== undefined && x.id === String(t.id)) || (t.name !== undefined && x.name === t.name));
    if (!type) return jiraError(reply, 404, [`No issue link type with name '${String(t?.name ?? t?.id)}' found.`]);
    const inward = linkedIssue(request, b.inwardIssue);
    const outward = linkedIssue(request, b.outwardIssue);
    if (!inward || !outward) return notFoundIssue(reply);
    const exists = [...em.state.issueLinks.values()].some((l) => l.typeId === type.id && l.inwardId === inward.id && l.outwardId === outward.id);
    if (!exists) {
      const id = String(em.state.next('issueLink'));
      em.state.issueLinks.set(id, { id, typeId: type.id, inwardId: inward.id, outwardId: outward.id });
    }
    return reply.code(201).send();
  });

  const visibleLink = (request: FastifyRequest, reply: FastifyReply) => {
    const { linkId } = request.params as { linkId: string };
    const link = em.state.issueLinks.get(linkId);
    const ok =
      link &&
      [link.inwardId, link.outwardId].every((id) => em.state.canBrowse(caller(request), em.state.projects.get(em.state.issues.get(id)!.fields.project)!));
    if (!ok) jiraError(reply, 404, [`No issue link with id '${linkId}' exists.`]);
    return ok ? link : undefined;
  };

  app.get('/rest/api/2/issueLink/:linkId', async (request, reply) => {
    const link = visibleLink(request, reply);
    return link ? ser().issueLink(link) : reply;
  });

  app.delete('/rest/api/2/issueLink/:linkId', async (request, reply) => {
    const link = visibleLink(request, reply);
    if (!link) return reply;
    em.state.issueLinks.delete(link.id);
    return reply.code(204).send();
  });
}

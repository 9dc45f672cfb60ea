import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Comment } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { listParam } from '../serialize/issue.ts';
import { objectBody, pageParams, visibleIssue } from './helpers.ts';

function visibility(v: unknown): Comment['visibility'] | undefined | 'invalid' {
  if (v === undefined) return undefined;
  if (v === null) return null;
  const o = v as { type?: unknown; value?: unknown };
  if ((o.type !== 'role' && o.type !== 'group') || typeof o.value !== 'string') return 'invalid';
  return { type: o.type, value: o.value };
}

/** Issue comments (jira-server.md §4.6). */
export function registerCommentRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();

  app.get('/rest/api/2/issue/:issueIdOrKey/comment', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const q = request.query as Record<string, string | undefined>;
    const { startAt, maxResults } = pageParams(q, 50, 5000);
    const ordered = q.orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
    const rendered = listParam(q.expand).includes('renderedBody');
    return {
      startAt,
      maxResults,
      total: issue.comments.length,
      comments: ordered.slice(startAt, startAt + maxResults).map((c) => ser().comment(issue.id, c, rendered)),
    };
  });

  app.post('/rest/api/2/issue/:issueIdOrKey/comment', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const body = objectBody(request);
    if (typeof body.body !== 'string' || body.body.trim() === '') return jiraError(reply, 400, [], { comment: 'Comment body can not be empty!' });
    const vis = visibility(body.visibility);
    if (vis === 'invalid') return jiraError(reply, 400, [], { commentLevel: 'Invalid visibility' });
    const comment = em.domain.addComment(caller(request), issue, body.body, vis ?? null);
    return reply.code(201).send(ser().comment(issue.id, comment));
  });

  const findComment = (issueComments: Comment[], id: string) => issueComments.find((c) => c.id === id);

  app.get('/rest/api/2/issue/:issueIdOrKey/comment/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const comment = findComment(issue.comments, (request.params as { id: string }).id);
    if (!comment) return jiraError(reply, 404, [`Can not find a comment for the id: ${(request.params as { id: string }).id}.`]);
    return ser().comment(issue.id, comment, listParam((request.query as { expand?: string }).expand).includes('renderedBody'));
  });

  app.put('/rest/api/2/issue/:issueIdOrKey/comment/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const comment = findComment(issue.comments, (request.params as { id: string }).id);
    if (!comment) return jiraError(reply, 404, [`Can not find a comment for the id: ${(request.params as { id: string }).id}.`]);
    const u = caller(request);
    if (comment.authorKey !== u.key && !em.state.isAdmin(u)) return jiraError(reply, 403, ['You do not have the permission to edit this comment.']);
    const body = objectBody(request);
    if (typeof body.body !== 'string' || body.body.trim() === '') return jiraError(reply, 400, [], { comment: 'Comment body can not be empty!' });
    const vis = visibility(body.visibility);
    if (vis === 'invalid') return jiraError(reply, 400, [], { commentLevel: 'Invalid visibility' });
    em.domain.editComment(u, issue, comment, body.body, vis);
    return ser().comment(issue.id, comment);
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/comment/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const comment = findComment(issue.comments, (request.params as { id: string }).id);
    if (!comment) return jiraError(reply, 404, [`Can not find a comment for the id: ${(request.params as { id: string }).id}.`]);
    const u = caller(request);
    if (comment.authorKey !== u.key && !em.state.isAdmin(u)) return jiraError(reply, 403, ['You do not have the permission to delete this comment.']);
    em.domain.deleteComment(u, issue, comment);
    return reply.code(204).send();
  });
}

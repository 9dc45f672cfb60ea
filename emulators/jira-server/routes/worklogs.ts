import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Issue, Worklog } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { parseDuration } from '../serialize/beans.ts';
import { parseJiraDateTime } from '../time.ts';
import { objectBody, visibleIssue } from './helpers.ts';

type WorklogInput = { comment?: unknown; started?: unknown; timeSpent?: unknown; timeSpentSeconds?: unknown; visibility?: unknown };

function parseWorklog(body: WorklogInput, partial: boolean, now: number): { value?: Partial<Worklog>; errors?: Record<string, string> } {
  const errors: Record<string, string> = {};
  const value: Partial<Worklog> = {};
  if (body.timeSpentSeconds !== undefined) {
    if (typeof body.timeSpentSeconds !== 'number' || body.timeSpentSeconds <= 0) errors.timeLogged = 'Time Spent must be greater than zero.';
    else value.timeSpentSeconds = Math.round(body.timeSpentSeconds);
  } else if (body.timeSpent !== undefined) {
    const s = typeof body.timeSpent === 'string' ? parseDuration(body.timeSpent) : undefined;
    if (!s) errors.timeLogged = 'Invalid time duration entered.';
    else value.timeSpentSeconds = s;
  } else if (!partial) {
    errors.timeLogged = 'You must indicate the time spent working.';
  }
  if (body.started !== undefined) {
    const ms = typeof body.started === 'string' ? parseJiraDateTime(body.started) : undefined;
    if (ms === undefined) errors.started = 'Invalid date format. Please enter the date in the format "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ".';
    else value.started = ms;
  } else if (!partial) {
    value.started = now;
  }
  if (body.comment !== undefined) value.comment = String(body.comment);
  else if (!partial) value.comment = '';
  if (body.visibility !== undefined) value.visibility = body.visibility as Worklog['visibility'];
  else if (!partial) value.visibility = null;
  return Object.keys(errors).length ? { errors } : { value };
}

/** Worklogs and the incremental worklog sync endpoints (jira-server.md §4.8). */
export function registerWorklogRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();
  const find = (issue: Issue, id: string) => issue.worklogs.find((w) => w.id === id);

  app.get('/rest/api/2/issue/:issueIdOrKey/worklog', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    return { startAt: 0, maxResults: issue.worklogs.length, total: issue.worklogs.length, worklogs: issue.worklogs.map((w) => ser().worklog(issue.id, w)) };
  });

  app.post('/rest/api/2/issue/:issueIdOrKey/worklog', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const parsed = parseWorklog(objectBody(request) as WorklogInput, false, em.clock.now());
    if (parsed.errors) return jiraError(reply, 400, [], parsed.errors);
    const w = em.domain.addWorklog(caller(request), issue, parsed.value as Pick<Worklog, 'comment' | 'started' | 'timeSpentSeconds' | 'visibility'>);
    return reply.code(201).send(ser().worklog(issue.id, w));
  });

  app.get('/rest/api/2/issue/:issueIdOrKey/worklog/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const w = find(issue, (request.params as { id: string }).id);
    if (!w) return jiraError(reply, 404, [`Cannot find worklog with id: ${(request.params as { id: string }).id}`]);
    return ser().worklog(issue.id, w);
  });

  app.put('/rest/api/2/issue/:issueIdOrKey/worklog/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const w = find(issue, (request.params as { id: string }).id);
    if (!w) return jiraError(reply, 404, [`Cannot find worklog with id: ${(request.params as { id: string }).id}`]);
    const parsed = parseWorklog(objectBody(request) as WorklogInput, true, em.clock.now());
    if (parsed.errors) return jiraError(reply, 400, [], parsed.errors);
    em.domain.editWorklog(caller(request), issue, w, parsed.value!);
    return ser().worklog(issue.id, w);
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/worklog/:id', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const w = find(issue, (request.params as { id: string }).id);
    if (!w) return jiraError(reply, 404, [`Cannot find worklog with id: ${(request.params as { id: string }).id}`]);
    em.domain.deleteWorklog(caller(request), issue, w);
    return reply.code(204).send();
  });

  app.get('/rest/api/2/worklog/updated', async (request) => {
    const since = Number((request.query as { since?: string }).since ?? 0) || 0;
    const all = [...em.state.issues.values()]
      .flatMap((i) => i.worklogs.map((w) => ({ w, i })))
      .filter(({ w }) => w.updated >= since)
      .sort((a, b) => a.w.updated - b.w.updated);
    const values = all.slice(0, 1000).map(({ w }) => ({ worklogId: Number(w.id), updatedTime: w.updated, properties: [] }));
    const until = values.length ? values[values.length - 1]!.updatedTime : since;
    return { values, since, until, self: ser().api(`worklog/updated?since=${since}`), lastPage: all.length <= 1000 };
  });

  app.get('/rest/api/2/worklog/deleted', async (request) => {
    const since = Number((request.query as { since?: string }).since ?? 0) || 0;
    const values = em.state.deletedWorklogs
      .filter((d) => d.deletedAt >= since)
      .map((d) => ({ worklogId: Number(d.id), updatedTime: d.deletedAt, properties: [] }));
    return { values, since, until: values.at(-1)?.updatedTime ?? since, self: ser().api(`worklog/deleted?since=${since}`), lastPage: true };
  });

  app.post('/rest/api/2/worklog/list', async (request, reply) => {
    const ids = (objectBody(request).ids ?? []) as unknown[];
    if (!Array.isArray(ids) || ids.length > 1000) return jiraError(reply, 400, ['Up to 1000 worklog ids are allowed.']);
    const wanted = new Set(ids.map(String));
    return [...em.state.issues.values()]
      .filter((i) => em.state.canBrowse(caller(request), em.state.projects.get(i.fields.project)!))
      .flatMap((i) => i.worklogs.filter((w) => wanted.has(w.id)).map((w) => ser().worklog(i.id, w)));
  });
}

import { queryString } from '../../../platform/vendor-http/query-string.ts';
import type { HubOperation, HubRequest } from '../../../hubs/hub-contract.ts';
import { ApiError } from '../../../platform/errors.ts';
import { REDMINE_PAGE_MAX } from './issues.ts';
import { RedmineApi, enc, objectBody } from './redmine-api.ts';

interface TimeEntry {
  id: number;
  issue?: { id: number };
  [field: string]: unknown;
}

const entryPath = (id: string | number) => `/time_entries/${enc(String(id))}.json`;
const EXAMPLE = '{"hours": 1.5, "activity_id": 9, "comments": "…"}';

/** One time entry of the issue: an entry of another issue is a 404 here. */
async function entryOf(api: RedmineApi, req: HubRequest): Promise<TimeEntry> {
  const { time_entry: entry } = await api.get<{ time_entry: TimeEntry }>(entryPath(req.params.worklogId!));
  if (String(entry.issue?.id) !== req.params.id) throw new ApiError('NOT_FOUND', `Issue ${req.params.id} has no worklog ${req.params.worklogId}`);
  return entry;
}

/** A time entry body as Redmine takes it: `activity: {id}` read from the hub becomes `activity_id`. */
function writable(body: unknown): Record<string, unknown> {
  const { id: _id, issue: _issue, project: _project, user: _user, created_on: _c, updated_on: _u, activity, ...rest } = objectBody(body, EXAMPLE);
  const activityId = activity && typeof activity === 'object' && 'id' in activity ? (activity as { id: unknown }).id : undefined;
  return { ...(activityId !== undefined && { activity_id: activityId }), ...rest };
}

/** Worklogs are the issue's time entries (https://www.redmine.org/projects/redmine/wiki/Rest_TimeEntries). */
export const timeEntryOperations: HubOperation[] = [
  {
    method: 'GET',
    path: 'incidents/:id/worklogs',
    list: true,
    async handle(req, ctx) {
      const { startAt, pageSize } = req.paging;
      const limit = Math.min(pageSize, REDMINE_PAGE_MAX);
      const page = await new RedmineApi(ctx).get<{ time_entries: TimeEntry[]; total_count: number }>(
        `/time_entries.json${queryString({ issue_id: req.params.id, offset: startAt, limit })}`,
      );
      const next = startAt + page.time_entries.length;
      return { kind: 'list', items: page.time_entries, total: page.total_count, nextStartAt: next < page.total_count ? next : undefined };
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/worklogs',
    async handle(req, ctx) {
      const created = await new RedmineApi(ctx).post<{ time_entry: TimeEntry }>('/time_entries.json', {
        time_entry: { ...writable(req.body), issue_id: req.params.id },
      });
      return { kind: 'object', body: created.time_entry };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/worklogs/:worklogId',
    async handle(req, ctx) {
      return { kind: 'object', body: await entryOf(new RedmineApi(ctx), req) };
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      method,
      path: 'incidents/:id/worklogs/:worklogId',
      async handle(req, ctx) {
        const api = new RedmineApi(ctx);
        await entryOf(api, req);
        await api.put(entryPath(req.params.worklogId!), { time_entry: writable(req.body) });
        return { kind: 'object', body: await entryOf(api, req) };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: 'incidents/:id/worklogs/:worklogId',
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      await entryOf(api, req);
      await api.delete(entryPath(req.params.worklogId!));
      return { kind: 'empty' };
    },
  },
];

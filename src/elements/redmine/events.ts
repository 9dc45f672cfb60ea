import { queryString } from '../../platform/vendor-http/query-string.ts';
import type { ElementEvents, PollResult } from '../../hubs/event-contract.ts';
import { type ChangedSinceSource, pollChangedSince } from '../../hubs/changed-since-poll.ts';
import type { HubContext } from '../../hubs/hub-contract.ts';
import type { Issue } from './hub/issues.ts';
import { RedmineApi } from './hub/redmine-api.ts';

/** Looked back before the cursor: covers Redmine's second precision and changes saved meanwhile. */
const OVERLAP_MS = 2 * 60_000;
/**
 * Redmine stores `created_on` and `updated_on` of a new issue in one save, to the second: a new
 * issue has both equal, and a change a second later already differs.
 */
const CREATED_TOLERANCE_MS = 0;

const ms = (time: string | undefined) => {
  const t = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(t) ? undefined : t;
};
/** Redmine's filters take UTC times to the second. */
const redmineTime = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Polling on `updated_on` (Redmine has no webhooks; `pollChangedSince`): `updated_on >= <cursor −
 * overlap>`, oldest change first. The cursor is the newest `updated_on` Redmine reported.
 */
function poll(ctx: HubContext, objects: string[], cursor: unknown): Promise<PollResult> {
  const api = new RedmineApi(ctx);
  const incidents: ChangedSinceSource<Issue> = {
    overlapMs: OVERLAP_MS,
    createdToleranceMs: CREATED_TOLERANCE_MS,
    async firstSince() {
      // Events begin after the newest change Redmine holds now, by its own clock (Thin sends no
      // Date header): a second later, as Redmine keeps times to the second. With no issue at all,
      // every issue is new.
      const newest = await api.get<{ issues: Issue[] }>(`/issues.json${queryString({ status_id: '*', sort: 'updated_on:desc,id:desc', limit: 1 })}`);
      const at = ms(newest.issues[0]?.updated_on);
      return at === undefined ? 0 : at + 1000;
    },
    async page(fromMs, offset, limit) {
      const filter = { status_id: '*', updated_on: `>=${redmineTime(fromMs)}`, sort: 'updated_on,id', offset, limit };
      const page = await api.get<{ issues: Issue[]; total_count: number }>(`/issues.json${queryString(filter)}`);
      return { items: page.issues, total: page.total_count };
    },
    read: (issue) => ({ id: String(issue.id), updatedMs: ms(issue.updated_on), createdMs: ms(issue.created_on), version: issue.updated_on ?? '' }),
  };
  return pollChangedSince({ incidents }, objects, cursor);
}

export const redmineEvents: ElementEvents = { defaultObjects: ['incidents'], poll };

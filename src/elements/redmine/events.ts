import { queryString } from '../../platform/vendor-http/query-string.ts';
import type { ElementEvents, PollResult, VendorEvent } from '../../hubs/event-contract.ts';
import type { HubContext } from '../../hubs/hub-contract.ts';
import { ApiError } from '../../platform/errors.ts';
import type { Issue } from './hub/issues.ts';
import { RedmineApi } from './hub/redmine-api.ts';

/** `since`: newest change seen; `start`: when events began (nothing older is ever reported). */
type Cursor = Record<string, { since: number; start?: number }>;

/** Looked back before the cursor: covers Redmine's second precision and changes saved meanwhile. */
const OVERLAP_MS = 2 * 60_000;
const PAGE = 100;
/** Bound per poll; the cursor advances and the next poll continues. */
const MAX_PER_POLL = 5_000;
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
 * Polling on `updated_on` (Redmine has no webhooks): `updated_on >= <cursor − overlap>`, oldest
 * change first, paging through everything. The cursor is the newest `updated_on` Redmine
 * reported (its clock, never ours); the overlap re-reads recent changes, which the platform's
 * dedupe ledger drops. The first poll starts after the newest change Redmine holds, so history
 * is not replayed.
 */
async function poll(ctx: HubContext, objects: string[], cursor: unknown): Promise<PollResult> {
  const api = new RedmineApi(ctx);
  const next: Cursor = { ...((cursor as Cursor | null) ?? {}) };
  const events: VendorEvent[] = [];
  for (const object of objects) {
    if (object !== 'incidents') throw new ApiError('BAD_REQUEST', `Polling supports incidents, not ${object}`);
    let since = next.incidents?.since;
    if (since === undefined) {
      // Events begin after the newest change Redmine holds now, by its own clock (Thin sends no
      // Date header): a second later, as Redmine keeps times to the second. With no issue at all,
      // every issue is new.
      const newest = await api.get<{ issues: Issue[] }>(`/issues.json${queryString({ status_id: '*', sort: 'updated_on:desc,id:desc', limit: 1 })}`);
      const at = ms(newest.issues[0]?.updated_on);
      since = at === undefined ? 0 : at + 1000;
      next.incidents = { since, start: since };
      continue;
    }
    const start = next.incidents?.start ?? 0;
    let newest = since;
    const filter = { status_id: '*', updated_on: `>=${redmineTime(since - OVERLAP_MS)}`, sort: 'updated_on,id' };
    for (let offset = 0; offset < MAX_PER_POLL; ) {
      const page = await api.get<{ issues: Issue[]; total_count: number }>(`/issues.json${queryString({ ...filter, offset, limit: PAGE })}`);
      for (const issue of page.issues) {
        const updated = ms(issue.updated_on);
        const created = ms(issue.created_on);
        if (updated === undefined || updated < start) continue;
        newest = Math.max(newest, updated);
        events.push({
          eventType: created !== undefined && Math.abs(updated - created) <= CREATED_TOLERANCE_MS ? 'CREATED' : 'UPDATED',
          objectType: 'incidents',
          objectId: String(issue.id),
          date: new Date(updated).toISOString(),
          version: issue.updated_on!,
          object: issue,
        });
      }
      offset += page.issues.length;
      if (page.issues.length === 0 || offset >= page.total_count) break;
    }
    next.incidents = { since: newest, start };
  }
  return { events, cursor: next };
}

export const redmineEvents: ElementEvents = { defaultObjects: ['incidents'], poll };

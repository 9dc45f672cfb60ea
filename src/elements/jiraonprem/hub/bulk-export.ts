import type { OrderKey } from '../../../ceql/ast.ts';
import type { BulkExporter, BulkExportPage, BulkExportRequest, HubContext } from '../../../hubs/hub-contract.ts';
import { badRequest } from '../../../platform/errors.ts';
import { jiraDateMs, jqlDateTimeIn, jqlString, translateWhere, type IssueFilter, type JiraIssueLike } from './ceql-to-jql.ts';
import { JiraApi } from './jira-api.ts';

/** Where an export of issues goes on: the minute of the last issue read, and how many of that minute were read. */
interface Cursor {
  minute: string;
  skip: number;
}

const isCursor = (c: unknown): c is Cursor =>
  typeof c === 'object' && c !== null && typeof (c as Cursor).minute === 'string' && Number.isInteger((c as Cursor).skip);

interface SearchPage {
  total: number;
  issues: (JiraIssueLike & { id: string; fields: { created?: string } })[];
}

/**
 * Refuses an order the export cannot keep. Issues are read by position in creation order, which
 * only the oldest-first order keeps: an issue created while the export runs comes after every
 * one read. Newest first it would come before them and move their positions, so a record could be
 * exported twice.
 */
function checkOrder(orderBy: OrderKey[] | undefined): void {
  if (!orderBy?.length) return;
  const [key, ...more] = orderBy;
  if (more.length || key!.field.path.join('.') !== 'fields.created' || key!.direction !== 'asc')
    throw badRequest(
      'A bulk export of incidents comes in creation order only (order by fields.created asc): Jira is read by position in that order, which issues created meanwhile do not move',
    );
}

/**
 * Issues in `created`, then `key` order, a page at a time, from a cursor that is a position in
 * that order rather than an offset into the whole result: JQL compares dates to the minute, so the
 * cursor is the minute of the last issue read and how many issues of that minute were read. An
 * issue created while the export runs is created "now", after every minute already read, so the
 * positions read before it do not move.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/search-search
 */
async function page(request: BulkExportRequest, ctx: HubContext): Promise<BulkExportPage> {
  const api = new JiraApi(ctx);
  const zone = String((ctx.instance.vendorMeta.user as { timeZone?: string } | undefined)?.timeZone ?? 'UTC');
  const where = request.where ? translateWhere(request.where, zone) : { jql: '', filters: [] as IssueFilter[] };
  if (request.cursor !== null && !isCursor(request.cursor)) throw badRequest('The export cursor is not one this element made');
  const cursor = request.cursor as Cursor | null;
  checkOrder(request.orderBy);
  const conditions = [where.jql && `(${where.jql})`, cursor && `created >= ${jqlString(cursor.minute)}`].filter(Boolean);
  const jql = `${conditions.join(' AND ')} ORDER BY created ASC, key ASC`.trim();
  // Jira's field of each selected `fields.<name>` path; `created` places each issue in the order,
  // whatever the caller selected.
  const selected = request.fields?.filter((f) => f.startsWith('fields.')).map((f) => f.split('.')[1]!);
  const fields = selected && [...new Set([...selected, 'created'])];
  const found = await api.post<SearchPage>('/rest/api/2/search', {
    jql,
    startAt: cursor?.skip ?? 0,
    maxResults: request.pageSize,
    ...(fields && { fields }),
  });
  const read = found.issues;
  const last = read.at(-1);
  let next: Cursor | null = null;
  if (last && read.length === request.pageSize) {
    // Every zone is a whole number of minutes off UTC, so a minute is the same span of time in
    // any of them: issues are compared by it, and only the last one's is written out for JQL.
    const minuteOf = (issue: (typeof read)[number]) => {
      const ms = jiraDateMs(issue.fields.created);
      if (ms === undefined) throw new Error(`Jira gave issue ${issue.id} no created date`);
      return Math.floor(ms / 60_000);
    };
    const lastMinute = minuteOf(last);
    const minute = jqlDateTimeIn(zone)(lastMinute * 60_000);
    // The page is in created order: the issues of the last minute are at its end.
    let ofMinute = 0;
    while (ofMinute < read.length && minuteOf(read[read.length - 1 - ofMinute]!) === lastMinute) ofMinute++;
    next = { minute, skip: cursor && cursor.minute === minute ? cursor.skip + ofMinute : ofMinute };
  }
  return {
    items: read.filter((issue) => where.filters.every((f) => f(issue))),
    cursor: next,
    ...(cursor === null && !where.filters.length && { total: found.total }),
  };
}

export const exportIssues: BulkExporter = {
  // The zone changes only how dates are written, not whether the query translates.
  check: (where, orderBy) => {
    checkOrder(orderBy);
    if (where) translateWhere(where, 'UTC');
  },
  page,
};

import { queryString } from '../../../platform/vendor-http/query-string.ts';
import type { OrderKey } from '../../../ceql/ast.ts';
import type { BulkExporter, BulkExportPage, BulkExportRequest, HubContext } from '../../../hubs/hub-contract.ts';
import { badRequest } from '../../../platform/errors.ts';
import { issueQuery, passes } from './issue-query.ts';
import type { Issue } from './issues.ts';
import { RedmineApi } from './redmine-api.ts';

/** Where an export of issues goes on: the id of the last issue read. */
interface Cursor {
  after: number;
}
const isCursor = (c: unknown): c is Cursor => typeof c === 'object' && c !== null && Number.isInteger((c as Cursor).after);

/** Issues come in id order, the only order a position (the last id read) can be kept in. */
function checkOrder(orderBy: OrderKey[] | undefined): void {
  if (!orderBy?.length) return;
  const [key, ...more] = orderBy;
  if (more.length || key!.field.name !== 'id' || key!.direction !== 'asc')
    throw badRequest('A bulk export of Redmine issues comes in id order only (order by id asc): Redmine is read from the last id read on');
}

/**
 * Issues in id order, a page at a time, each page the issues after the last id read
 * (`issue_id=>=n`): a position, not an offset, so issues created or deleted meanwhile move
 * nothing, and a job resumed from it neither repeats nor skips one.
 */
async function page(request: BulkExportRequest, ctx: HubContext): Promise<BulkExportPage> {
  if (request.cursor !== null && !isCursor(request.cursor)) throw badRequest('The export cursor is not one this element made');
  checkOrder(request.orderBy);
  const query = issueQuery(request.where);
  const after = (request.cursor as Cursor | null)?.after ?? 0;
  const found = await new RedmineApi(ctx).get<{ issues: Issue[]; total_count: number }>(
    `/issues.json${queryString({ ...query.params, issue_id: `>=${after + 1}`, sort: 'id', offset: 0, limit: Math.min(request.pageSize, 100) })}`,
  );
  const last = found.issues.at(-1);
  return {
    items: found.issues.filter((issue) => passes(query, issue)),
    cursor: last && found.issues.length < found.total_count ? { after: last.id } : null,
    ...(after === 0 && !query.rest && { total: found.total_count }),
  };
}

export const exportIssues: BulkExporter = {
  check: (where, orderBy) => {
    checkOrder(orderBy);
    issueQuery(where);
  },
  page,
};

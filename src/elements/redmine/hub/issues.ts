import { queryString } from '../../../platform/vendor-http/query-string.ts';
import type { HubContext, HubOperation, HubRequest, HubResult } from '../../../hubs/hub-contract.ts';
import { issueQuery, issueSort, passes } from './issue-query.ts';
import { RedmineApi, enc, objectBody } from './redmine-api.ts';

export interface Issue {
  id: number;
  subject?: string;
  created_on?: string;
  updated_on?: string;
  [field: string]: unknown;
}

interface IssueList {
  issues: Issue[];
  total_count: number;
  offset: number;
  limit: number;
}

/** Redmine's cap per list call (`limit`); a hub page may need several calls to be filled. */
export const REDMINE_PAGE_MAX = 100;
/** Calls one hub page may make while in-memory checks drop issues: past them, a query few issues match answers a short page with its nextPage. */
const MAX_CALLS_PER_PAGE = 20;

export const issuePath = (id: string | number) => `/issues/${enc(String(id))}.json`;
const EXAMPLE = '{"project_id": 1, "tracker_id": 1, "subject": "…"}';

/**
 * References as Redmine answers them (`"project": {"id": 1, "name": "…"}`) become the ids it
 * takes (`project_id`), so that a body read from the hub can be written back. An `_id` the body
 * gives itself wins.
 */
const REFERENCES: ReadonlyMap<string, string> = new Map([
  ['project', 'project_id'],
  ['tracker', 'tracker_id'],
  ['status', 'status_id'],
  ['priority', 'priority_id'],
  ['assigned_to', 'assigned_to_id'],
  ['category', 'category_id'],
  ['fixed_version', 'fixed_version_id'],
  ['parent', 'parent_issue_id'],
]);
/** What Redmine computes and refuses to be told. */
const READ_ONLY: ReadonlySet<string> = new Set([
  'id',
  'author',
  'created_on',
  'updated_on',
  'closed_on',
  'spent_hours',
  'total_spent_hours',
  'total_estimated_hours',
]);

/** A custom field by the name `where` filters it by: `cf_<id>`. */
const CUSTOM_FIELD = /^cf_(\d{1,9})$/;

/**
 * A body as Redmine takes it: references as ids, what Redmine computes left out, and custom
 * fields given as `cf_<id>` members put in Redmine's `custom_fields` list.
 */
export function writableIssue(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const custom: { id: number; value: unknown }[] = [];
  for (const [key, value] of Object.entries(objectBody(body, EXAMPLE))) {
    if (READ_ONLY.has(key)) continue;
    const cf = CUSTOM_FIELD.exec(key);
    if (cf) {
      custom.push({ id: Number(cf[1]), value });
      continue;
    }
    const idKey = REFERENCES.get(key);
    if (idKey && value !== null && typeof value === 'object' && !Array.isArray(value) && 'id' in value) {
      out[idKey] ??= (value as { id: unknown }).id;
      continue;
    }
    out[key] = value;
  }
  if (custom.length) {
    // Beside Redmine's own list, if the body has one: a `cf_<id>` member wins for its field.
    const given = Array.isArray(out.custom_fields) ? (out.custom_fields as { id?: unknown }[]) : [];
    out.custom_fields = [...given.filter((f) => !custom.some((c) => String(c.id) === String(f?.id))), ...custom];
  }
  return out;
}

/**
 * `GET /incidents`: CEQL → Redmine's issue filters, paged with its `offset`/`limit`, filling the
 * hub page across several calls when in-memory checks drop issues. The next-page token carries
 * Redmine's offset, and the sort always ends in `id`, so walking the pages returns every match
 * once. https://www.redmine.org/projects/redmine/wiki/Rest_Issues#Listing-issues
 */
export async function listIssues(req: HubRequest, ctx: HubContext): Promise<HubResult> {
  const api = new RedmineApi(ctx);
  const query = issueQuery(req.where);
  const sort = issueSort(req.orderBy);
  const { pageSize } = req.paging;
  let offset = req.paging.startAt;
  let total = 0;
  const items: Issue[] = [];
  for (let calls = 0; calls < MAX_CALLS_PER_PAGE && items.length < pageSize; calls++) {
    const limit = Math.min(REDMINE_PAGE_MAX, pageSize - items.length);
    const page = await api.get<IssueList>(`/issues.json${queryString({ ...query.params, sort, offset, limit, include: req.query.include })}`);
    total = page.total_count;
    for (const issue of page.issues) if (passes(query, issue)) items.push(issue);
    offset += page.issues.length;
    if (page.issues.length === 0 || offset >= total) break;
  }
  return { kind: 'list', items, total: query.rest ? undefined : total, nextStartAt: offset < total ? offset : undefined };
}

export async function readIssue(api: RedmineApi, id: string | number, include?: string): Promise<Issue> {
  return (await api.get<{ issue: Issue }>(`${issuePath(id)}${queryString({ include })}`)).issue;
}

export const issueOperations: HubOperation[] = [
  { method: 'GET', path: 'incidents', list: true, handle: listIssues },
  {
    // https://www.redmine.org/projects/redmine/wiki/Rest_Issues#Creating-an-issue
    method: 'POST',
    path: 'incidents',
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      const created = await api.post<{ issue: Issue }>('/issues.json', { issue: writableIssue(req.body) });
      return { kind: 'object', body: created.issue };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id',
    async handle(req, ctx) {
      return { kind: 'object', body: await readIssue(new RedmineApi(ctx), req.params.id!, req.query.include) };
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      // Redmine answers an update with 204 and no body: the hub answers the issue read after it.
      method,
      path: 'incidents/:id',
      async handle(req, ctx) {
        const api = new RedmineApi(ctx);
        await api.put(issuePath(req.params.id!), { issue: writableIssue(req.body) });
        return { kind: 'object', body: await readIssue(api, req.params.id!) };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: 'incidents/:id',
    async handle(req, ctx) {
      await new RedmineApi(ctx).delete(issuePath(req.params.id!));
      return { kind: 'empty' };
    },
  },
];

import { matches, readPath, type Expr, type OrderKey, type Value } from '../../../ceql/index.ts';
import { badRequest } from '../../../platform/errors.ts';

/**
 * CEQL → the filters of Redmine's `GET /issues.json`
 * (https://www.redmine.org/projects/redmine/wiki/Rest_Issues#Listing-issues):
 *  - `status_id`, `project_id`, `tracker_id`, `assigned_to_id` with `=` or `in (…)` (numbers;
 *    `status_id` also `'open'`, `'closed'`, `'*'`);
 *  - `subject like '%text%'` as Redmine's "contains" (`subject=~text`);
 *  - `created_on` / `updated_on` with `>=`, `<=` and both (`><`), as ISO 8601 times;
 *  - `cf_<id>` (a custom field Redmine filters by) with `=` or `like '%text%'`;
 *  - `orderBy` → `sort`.
 * The top-level clauses joined by `and` that Redmine cannot filter (any other field, `or`, `not`,
 * a `>` or `<` on a date) are evaluated in memory on the issues Redmine returns.
 * Without a `status_id` clause every status is listed (`status_id=*`), where Redmine's own
 * default would be the open issues only.
 */
export interface IssueQuery {
  /** Redmine's filter parameters. */
  params: Record<string, string>;
  /** What Redmine could not filter, checked on each issue it returns; undefined when nothing. */
  rest: Expr | undefined;
}

const ID_FILTERS: ReadonlySet<string> = new Set(['status_id', 'project_id', 'tracker_id', 'assigned_to_id']);
const DATE_FILTERS: ReadonlySet<string> = new Set(['created_on', 'updated_on']);
/** Redmine's sort keys that a CEQL field names. */
const SORT_KEYS: ReadonlyMap<string, string> = new Map([
  ['id', 'id'],
  ['subject', 'subject'],
  ['created_on', 'created_on'],
  ['updated_on', 'updated_on'],
  ['start_date', 'start_date'],
  ['due_date', 'due_date'],
  ['done_ratio', 'done_ratio'],
  ['status_id', 'status'],
  ['status.id', 'status'],
  ['priority_id', 'priority'],
  ['priority.id', 'priority'],
  ['tracker_id', 'tracker'],
  ['tracker.id', 'tracker'],
  ['project_id', 'project'],
  ['project.id', 'project'],
  ['assigned_to_id', 'assigned_to'],
  ['assigned_to.id', 'assigned_to'],
]);
/** A custom field's filter: `cf_` and its id. */
const CUSTOM_FIELD = /^cf_\d{1,9}$/;
/** An ISO 8601 date or UTC time, as Redmine's date filters take them. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z)?$/;

function clauses(expr: Expr | undefined): Expr[] {
  if (!expr) return [];
  return expr.kind === 'and' ? [...clauses(expr.left), ...clauses(expr.right)] : [expr];
}

function idValue(v: Value, field: string): string {
  if (v.kind === 'number' && Number.isInteger(v.value) && v.value > 0) return String(v.value);
  if (field === 'status_id' && v.kind === 'string' && ['open', 'closed', '*'].includes(v.value)) return v.value;
  if (v.kind === 'string' && /^\d{1,10}$/.test(v.value)) return v.value;
  throw badRequest(`${field} takes a Redmine id (a positive integer)${field === 'status_id' ? ", 'open', 'closed' or '*'" : ''}`);
}

function dateValue(v: Value, field: string): string {
  if (v.kind !== 'string' || !ISO_TIME.test(v.value))
    throw badRequest(`${field} takes an ISO 8601 date or UTC time, such as '2024-05-01' or '2024-05-01T08:00:00Z'`);
  // Redmine reads whole seconds.
  return v.value.replace(/\.\d+Z$/, 'Z');
}

/** `cf_<id> = value` or `cf_<id> like '%text%'` (Redmine filters custom fields marked as filters). */
function customValue(clause: Expr, field: string): string {
  if (clause.kind === 'compare' && clause.op === '=' && clause.value.kind !== 'boolean') return String(clause.value.value);
  const text = clause.kind === 'like' && !clause.negated ? containsText(clause.pattern) : undefined;
  if (text !== undefined) return `~${text}`;
  throw badRequest(`${field} (a custom field) takes = '…' or like '%…%'`);
}

/** `%text%` with no other wildcard: what Redmine's "contains" means. */
function containsText(pattern: string): string | undefined {
  const m = /^%([^%_]+)%$/.exec(pattern);
  return m?.[1];
}

export function issueQuery(where: Expr | undefined): IssueQuery {
  const params: Record<string, string> = {};
  const rest: Expr[] = [];
  const dates = new Map<string, { from?: string; to?: string }>();
  for (const clause of clauses(where)) {
    const field = 'field' in clause ? clause.field.name : undefined;
    if (field !== undefined && ID_FILTERS.has(field) && params[field] === undefined) {
      if (clause.kind === 'compare' && clause.op === '=') {
        params[field] = idValue(clause.value, field);
        continue;
      }
      if (clause.kind === 'in' && !clause.negated && clause.values.length > 0) {
        params[field] = clause.values.map((v) => idValue(v, field)).join('|');
        continue;
      }
    }
    if (field !== undefined && CUSTOM_FIELD.test(field)) {
      // A custom field is filtered by Redmine or not at all: the issue holds it in a list
      // (`custom_fields: [{id, value}]`), where no path reaches it for a check in memory.
      if (params[field] !== undefined) throw badRequest(`${field} (a custom field) can be filtered once`);
      params[field] = customValue(clause, field);
      continue;
    }
    if (field === 'subject' && clause.kind === 'like' && !clause.negated && params.subject === undefined) {
      const text = containsText(clause.pattern);
      if (text !== undefined) {
        params.subject = `~${text}`;
        continue;
      }
    }
    if (field !== undefined && DATE_FILTERS.has(field) && clause.kind === 'compare') {
      const bounds = dates.get(field) ?? {};
      dates.set(field, bounds);
      const value = dateValue(clause.value, field);
      if ((clause.op === '>=' || clause.op === '>') && bounds.from === undefined) {
        bounds.from = value;
        // Redmine has no strict bound: `>` is filtered as `>=`, then checked exactly here.
        if (clause.op === '>') rest.push(clause);
        continue;
      }
      if ((clause.op === '<=' || clause.op === '<') && bounds.to === undefined) {
        bounds.to = value;
        if (clause.op === '<') rest.push(clause);
        continue;
      }
    }
    rest.push(clause);
  }
  for (const [field, { from, to }] of dates) {
    if (from !== undefined && to !== undefined) params[field] = `><${from}|${to}`;
    else if (from !== undefined) params[field] = `>=${from}`;
    else if (to !== undefined) params[field] = `<=${to}`;
  }
  params.status_id ??= '*';
  const joined = rest.reduce<Expr | undefined>((acc, e) => (acc ? { kind: 'and', left: acc, right: e } : e), undefined);
  return { params, rest: joined };
}

/** Whether an issue passes what Redmine could not filter. */
export const passes = (query: IssueQuery, issue: unknown): boolean => query.rest === undefined || matches(query.rest, issue, readPath);

/** `orderBy` as Redmine's `sort` (`updated_on:desc,id`), with `id` last so that equal keys keep one order across pages. */
export function issueSort(orderBy: OrderKey[] | undefined): string {
  const keys = (orderBy ?? []).map((k) => {
    const key = SORT_KEYS.get(k.field.name);
    if (!key) throw badRequest(`Redmine cannot order issues by ${k.field.name}; order by one of ${[...new Set(SORT_KEYS.keys())].join(', ')}`);
    return k.direction === 'desc' ? `${key}:desc` : key;
  });
  if (!keys.some((k) => k === 'id' || k === 'id:desc')) keys.push('id');
  return keys.join(',');
}

import type { Expr } from '../../../ceql/ast.ts';
import type { BulkImporter, BulkImportRow, HubContext } from '../../../hubs/hub-contract.ts';
import { ApiError, badRequest } from '../../../platform/errors.ts';
import { jqlDateTimeIn, jqlString, translateWhere } from './ceql-to-jql.ts';
import { fieldsByName, jiraFields } from './fields-cache.ts';
import { withoutUnchangedPlacement } from './incidents.ts';
import { JiraApi, issuePath } from './jira-api.ts';

/**
 * The issue property a bulk import stores on each issue it creates: `{"row": "<job>.<row>"}`.
 * Jira has no idempotency key, so this is how an import that died between sending a create and
 * storing its outcome finds out, on resuming, whether that issue exists.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-createIssue (properties)
 */
export const IMPORT_PROPERTY = 'switchboard.bulk-import';
/** Members of Jira's IssueUpdateBean; anything else in a record (an export's `id`, `self`, `expand`) is not sent. */
const UPDATE_BEAN = ['fields', 'update', 'properties', 'transition', 'historyMetadata'] as const;
const RECOVERY_PAGE = 100;
/** Candidates one identifier lookup reads (Jira's default search cap). */
const LOOKUP_MAX = 1000;

const zoneOf = (ctx: HubContext) => String((ctx.instance.vendorMeta.user as { timeZone?: string } | undefined)?.timeZone ?? 'UTC');

/** `identifierFieldName = <value>` as CEQL, for the hub's own JQL translation. */
function lookupOf(field: string, value: string | number): Expr {
  return {
    kind: 'compare',
    field: { path: field.split('.'), name: field, offset: 0 },
    op: '=',
    value: typeof value === 'number' ? { kind: 'number', value, raw: String(value) } : { kind: 'string', value },
  };
}

function updateBean(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of UPDATE_BEAN) if (Object.hasOwn(record, name)) out[name] = record[name];
  return out;
}

/** The key of the issue the row identifies, or undefined when none has its identifier (or it gives none). */
async function existing(api: JiraApi, ctx: HubContext, row: BulkImportRow): Promise<string | undefined> {
  if (!row.identifier) return undefined;
  const { field, value } = row.identifier;
  if (field === 'key' || field === 'id') {
    try {
      return (await api.get<{ key: string }>(`${issuePath(String(value))}?fields=created`)).key;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }
  const lookup = translateWhere(lookupOf(field, value), zoneOf(ctx));
  const found = await api.post<{ total: number; issues: { key: string; fields: Record<string, unknown> }[] }>('/rest/api/2/search', {
    jql: lookup.jql,
    maxResults: LOOKUP_MAX,
    fields: [field.split('.')[1] ?? 'created'],
  });
  // An exact match could be among the candidates not read: better refused than created twice.
  if (found.total > found.issues.length)
    throw badRequest(
      `Looking up ${field} = ${String(value).slice(0, 100)} matched ${found.total} issues in Jira's search; the identifier must be more distinctive`,
    );
  // Jira's `~` matches words; the in-memory checks keep the issues whose value is the identifier.
  const matches = found.issues.filter((issue) => lookup.filters.every((f) => f(issue)));
  if (matches.length > 1) throw badRequest(`${matches.length} issues have ${field} = ${String(value).slice(0, 100)}; the identifier must name one`);
  return matches[0]?.key;
}

async function write(row: BulkImportRow, ctx: HubContext): Promise<{ id: string; created: boolean }> {
  const api = new JiraApi(ctx);
  const known = await existing(api, ctx, row);
  const fields = await jiraFields(api, ctx);
  if (known) {
    const placed = await withoutUnchangedPlacement(api, known, updateBean(row.record));
    await api.put(issuePath(known), fieldsByName(placed, fields));
    return { id: known, created: false };
  }
  const bean = updateBean(row.record);
  const properties = Array.isArray(bean.properties) ? bean.properties : [];
  const body = fieldsByName({ ...bean, properties: [...properties, { key: IMPORT_PROPERTY, value: { row: row.marker } }] }, fields);
  const created = await api.post<{ key: string }>('/rest/api/2/issue', body);
  return { id: created.key, created: true };
}

/** Property reads at once while a resumed import looks for its rows. */
const LOOKUP_CONCURRENCY = 4;

/**
 * The issues created since `since` (from a minute before, as JQL compares minutes), newest first,
 * each asked for the import property; stops once every marker is found. Jira's search returns no
 * entity properties (jira-server.md §4.2), so each candidate is read on its own: after a crash that
 * is the few seconds of issues created before it.
 */
async function created(markers: readonly string[], since: string, ctx: HubContext): Promise<Map<string, string>> {
  const api = new JiraApi(ctx);
  const wanted = new Set(markers);
  const found = new Map<string, string>();
  const from = jqlDateTimeIn(zoneOf(ctx))(Date.parse(since) - 60_000);
  const jql = `created >= ${jqlString(from)} ORDER BY created DESC, key DESC`;
  const markerOf = async (key: string) => {
    try {
      const property = await api.get<{ value?: { row?: unknown } }>(`${issuePath(key)}/properties/${encodeURIComponent(IMPORT_PROPERTY)}`);
      return property.value?.row;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  };
  for (let startAt = 0; ; startAt += RECOVERY_PAGE) {
    const page = await api.get<{ total: number; issues: { key: string }[] }>(
      `/rest/api/2/search?${new URLSearchParams({ jql, startAt: String(startAt), maxResults: String(RECOVERY_PAGE), fields: 'created' })}`,
    );
    const keys = page.issues.map((i) => i.key);
    for (let i = 0; i < keys.length && found.size < wanted.size; i += LOOKUP_CONCURRENCY) {
      const batch = keys.slice(i, i + LOOKUP_CONCURRENCY);
      const rows = await Promise.all(batch.map(markerOf));
      rows.forEach((row, k) => {
        if (typeof row === 'string' && wanted.has(row)) found.set(row, batch[k]!);
      });
    }
    if (found.size === wanted.size || page.issues.length < RECOVERY_PAGE || startAt + RECOVERY_PAGE >= page.total) return found;
  }
}

export const importIssues: BulkImporter = {
  checkIdentifier(field) {
    if (field === 'key' || field === 'id') return;
    if (!field.startsWith('fields.') || field.split('.').length !== 2)
      throw badRequest(`identifierFieldName ${field.slice(0, 100)}: Jira issues are looked up by key, id or one field (fields.<name>)`);
    translateWhere(lookupOf(field, 'x'), 'UTC');
  },
  write,
  created,
};

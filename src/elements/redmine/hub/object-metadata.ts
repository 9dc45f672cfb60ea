import type { HubContext, ObjectField } from '../../../hubs/hub-contract.ts';
import { fieldsOfSample, objectField } from '../../../hubs/object-fields.ts';
import { ApiError } from '../../../platform/errors.ts';
import { readList } from './reference.ts';
import { RedmineApi } from './redmine-api.ts';

/**
 * Redmine's standard issue fields: path, name, hub type, Redmine's type, what Redmine filters,
 * and, for those a tracker may switch off, Redmine's name of the field in the trackers'
 * `enabled_standard_fields`.
 */
const STANDARD: [string, string, string, string, Partial<ObjectField>, string?][] = [
  ['id', 'Id', 'number', 'int', { vendorReadOnly: true, filterable: true }],
  ['project.id', 'Project', 'number', 'int', { vendorRequired: true, filterable: true }],
  ['tracker.id', 'Tracker', 'number', 'int', { vendorRequired: true, filterable: true }],
  ['status.id', 'Status', 'number', 'int', { filterable: true }],
  ['priority.id', 'Priority', 'number', 'int', {}],
  ['author.id', 'Author', 'number', 'int', { vendorReadOnly: true }],
  ['assigned_to.id', 'Assignee', 'number', 'int', { filterable: true }, 'assigned_to_id'],
  ['category.id', 'Category', 'number', 'int', {}, 'category_id'],
  ['fixed_version.id', 'Target version', 'number', 'int', {}, 'fixed_version_id'],
  ['parent.id', 'Parent task', 'number', 'int', {}, 'parent_issue_id'],
  ['subject', 'Subject', 'string', 'string', { vendorRequired: true, filterable: true }],
  ['description', 'Description', 'string', 'text', {}, 'description'],
  ['start_date', 'Start date', 'date', 'date', {}, 'start_date'],
  ['due_date', 'Due date', 'date', 'date', {}, 'due_date'],
  ['done_ratio', '% Done', 'number', 'int', {}, 'done_ratio'],
  ['is_private', 'Private', 'boolean', 'bool', {}],
  ['estimated_hours', 'Estimated time', 'number', 'float', {}, 'estimated_hours'],
  ['created_on', 'Created', 'date', 'datetime', { vendorReadOnly: true, filterable: true }],
  ['updated_on', 'Updated', 'date', 'datetime', { vendorReadOnly: true, filterable: true }],
  ['closed_on', 'Closed', 'date', 'datetime', { vendorReadOnly: true }],
];

interface CustomField {
  id: number;
  name: string;
  customized_type: string;
  field_format: string;
  is_required?: boolean;
  is_filter?: boolean;
  multiple?: boolean;
  trackers?: { id: number }[];
}

const FORMAT_TYPES: Record<string, string> = { int: 'number', float: 'number', date: 'date', bool: 'boolean' };

/**
 * `GET /objects/incidents/metadata` from the instance's own Redmine: the standard issue fields
 * that at least one tracker uses (a tracker can switch off the assignee, the dates, …), and its
 * issue custom fields as `cf_<id>`, the name writes and `where` take them by (an issue read holds
 * them in Redmine's list `custom_fields: [{id, name, value}]`),
 * where the instance's user may read them (administrators; anyone else gets the standard fields).
 */
export async function issueMetadata(ctx: HubContext): Promise<ObjectField[]> {
  const trackers = (await readList(ctx, 'incident-types')) as { enabled_standard_fields?: string[] }[];
  // Redmine before 5.0 does not say: then every field counts as used.
  const used = trackers.every((t) => Array.isArray(t.enabled_standard_fields)) ? new Set(trackers.flatMap((t) => t.enabled_standard_fields!)) : undefined;
  let custom: CustomField[] = [];
  try {
    custom = ((await readList(ctx, 'fields')) as unknown as CustomField[]).filter((f) => f.customized_type === 'issue');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 403)) throw err;
  }
  return [
    ...STANDARD.filter(([, , , , , optional]) => optional === undefined || used === undefined || used.has(optional)).map(([path, name, type, native, extra]) =>
      objectField(path, name, type, native, extra),
    ),
    ...custom.map((f) =>
      objectField(`cf_${f.id}`, f.name, f.multiple ? 'array' : (FORMAT_TYPES[f.field_format] ?? 'string'), f.field_format, {
        vendorRequired: f.is_required === true,
        filterable: f.is_filter === true,
        custom: true,
      }),
    ),
  ];
}

/** Metadata of the reference lists: the fields of their first item, typed from its JSON values. */
export const sampledMetadata =
  (name: Parameters<typeof readList>[1]) =>
  async (ctx: HubContext): Promise<ObjectField[]> =>
    fieldsOfSample((await readList(ctx, name))[0], new Set(['id']));

/** Members of a Redmine user that Redmine sets itself. */
const USER_READ_ONLY: ReadonlySet<string> = new Set(['id', 'created_on', 'updated_on', 'last_login_on', 'passwd_changed_on', 'twofa_scheme']);

/**
 * Agents and contacts are Redmine users, and every instance can read one: its own
 * (`/users/current.json`). Its `api_key` is left out, as no other user's answer has it. No member
 * is filterable: Redmine filters users by `name` and `status` as search parameters.
 */
export async function userMetadata(ctx: HubContext): Promise<ObjectField[]> {
  const { user } = await new RedmineApi(ctx).get<{ user: Record<string, unknown> }>('/users/current.json');
  const { api_key: _key, ...members } = user;
  return fieldsOfSample(members, USER_READ_ONLY).map((field) => ({ ...field, filterable: false }));
}

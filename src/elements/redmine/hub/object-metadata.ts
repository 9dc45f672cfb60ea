import type { HubContext, ObjectField } from '../../../hubs/hub-contract.ts';
import { ApiError } from '../../../platform/errors.ts';
import { readList } from './reference.ts';

const field = (vendorPath: string, name: string, type: string, nativeType: string, extra: Partial<ObjectField> = {}): ObjectField => ({
  vendorPath,
  vendorDisplayName: name,
  type,
  vendorNativeType: nativeType,
  vendorRequired: false,
  vendorReadOnly: false,
  filterable: false,
  hidden: false,
  ...extra,
});

/** Redmine's standard issue fields: path, name, hub type, Redmine's type, what Redmine filters. */
const STANDARD: [string, string, string, string, Partial<ObjectField>][] = [
  ['id', 'Id', 'number', 'int', { vendorReadOnly: true, filterable: true }],
  ['project.id', 'Project', 'number', 'int', { vendorRequired: true, filterable: true }],
  ['tracker.id', 'Tracker', 'number', 'int', { vendorRequired: true, filterable: true }],
  ['status.id', 'Status', 'number', 'int', { filterable: true }],
  ['priority.id', 'Priority', 'number', 'int', {}],
  ['author.id', 'Author', 'number', 'int', { vendorReadOnly: true }],
  ['assigned_to.id', 'Assignee', 'number', 'int', { filterable: true }],
  ['subject', 'Subject', 'string', 'string', { vendorRequired: true, filterable: true }],
  ['description', 'Description', 'string', 'text', {}],
  ['start_date', 'Start date', 'date', 'date', {}],
  ['due_date', 'Due date', 'date', 'date', {}],
  ['done_ratio', '% Done', 'number', 'int', {}],
  ['is_private', 'Private', 'boolean', 'bool', {}],
  ['estimated_hours', 'Estimated time', 'number', 'float', {}],
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
 * `GET /objects/incidents/metadata` from the instance's own Redmine: the standard issue fields,
 * and its issue custom fields (`custom_fields`, read by id) where the instance's user may read
 * them (administrators; anyone else gets the standard fields).
 */
export async function issueMetadata(ctx: HubContext): Promise<ObjectField[]> {
  let custom: CustomField[] = [];
  try {
    custom = ((await readList(ctx, 'fields')) as unknown as CustomField[]).filter((f) => f.customized_type === 'issue');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 403)) throw err;
  }
  return [
    ...STANDARD.map(([path, name, type, native, extra]) => field(path, name, type, native, extra)),
    ...custom.map((f) =>
      field(`custom_fields.${f.id}`, f.name, f.multiple ? 'array' : (FORMAT_TYPES[f.field_format] ?? 'string'), f.field_format, {
        vendorRequired: f.is_required === true,
        custom: true,
      }),
    ),
  ];
}

/** Metadata of the reference lists: the fields of their first item, typed from its JSON values. */
export const sampledMetadata =
  (name: Parameters<typeof readList>[1]) =>
  async (ctx: HubContext): Promise<ObjectField[]> => {
    const sample = (await readList(ctx, name))[0];
    if (!sample) return [];
    return Object.entries(sample).map(([k, v]) =>
      field(k, k, v === null ? 'object' : typeof v === 'object' ? (Array.isArray(v) ? 'array' : 'object') : typeof v, typeof v, {
        vendorReadOnly: k === 'id',
        filterable: true,
      }),
    );
  };

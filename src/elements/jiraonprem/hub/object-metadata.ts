import type { HubContext, ObjectField } from '../../../hubs/hub-contract.ts';
import { fieldsOfSample, objectField } from '../../../hubs/object-fields.ts';
import { JiraApi, enc } from './jira-api.ts';
import { jiraFields, type JiraField } from './fields-cache.ts';

const READ_ONLY: ReadonlySet<string> = new Set([
  'created',
  'updated',
  'creator',
  'status',
  'resolutiondate',
  'lastViewed',
  'votes',
  'watches',
  'worklog',
  'comment',
  'attachment',
  'subtasks',
  'issuelinks',
  'timespent',
  'aggregatetimespent',
  'progress',
  'aggregateprogress',
  'workratio',
]);

/** `schema.type` → the hub's types (D35): string, number, date, boolean, array, else object. */
function hubType(schema: JiraField['schema']): string {
  switch (schema?.type) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'date':
    case 'datetime':
      return 'date';
    case 'array':
      return 'array';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/**
 * `GET /objects/incidents/metadata`, read from the instance's own Jira: every field of
 * `/rest/api/2/field` (custom fields included) at `fields.<id>`, with `vendorRequired` from the
 * create metadata of the first project's first issue type when Jira gives it.
 */
export async function incidentMetadata(ctx: HubContext): Promise<ObjectField[]> {
  const api = new JiraApi(ctx);
  const fields = await jiraFields(api, ctx);
  const required = await requiredOnCreate(api).catch(() => new Set<string>());
  return [
    objectField('id', 'Id', 'string', 'string', { vendorReadOnly: true, filterable: true }),
    objectField('key', 'Key', 'string', 'string', { vendorReadOnly: true, filterable: true }),
    objectField('self', 'Self', 'string', 'string', { vendorReadOnly: true }),
    ...fields.map((f) =>
      objectField(`fields.${f.id}`, f.name, hubType(f.schema), f.schema?.custom ?? f.schema?.type ?? 'any', {
        vendorRequired: required.has(f.id),
        vendorReadOnly: READ_ONLY.has(f.id),
        filterable: f.searchable ?? false,
        ...(f.custom && { custom: true }),
      }),
    ),
  ];
}

async function requiredOnCreate(api: JiraApi): Promise<Set<string>> {
  const projects = await api.get<{ key: string }[]>('/rest/api/2/project');
  if (!projects.length) return new Set();
  const types = await api.get<{ values: { id: string }[] }>(`/rest/api/2/issue/createmeta/${enc(projects[0]!.key)}/issuetypes`);
  if (!types.values.length) return new Set();
  const meta = await api.get<{ values: { fieldId: string; required: boolean }[] }>(
    `/rest/api/2/issue/createmeta/${enc(projects[0]!.key)}/issuetypes/${enc(types.values[0]!.id)}`,
  );
  return new Set(meta.values.filter((f) => f.required).map((f) => f.fieldId));
}

/** Metadata of the other objects: the fields of one sample from Jira, typed from their JSON values. */
export async function sampledMetadata(ctx: HubContext, jiraPath: string): Promise<ObjectField[]> {
  const list = await new JiraApi(ctx).get<unknown[]>(jiraPath);
  return fieldsOfSample((Array.isArray(list) ? list[0] : undefined) as Record<string, unknown> | undefined, new Set(['id', 'self']));
}

/** Members of a Jira user that Jira sets itself. */
const USER_READ_ONLY: ReadonlySet<string> = new Set(['self', 'key', 'avatarUrls', 'active', 'deleted', 'groups', 'applicationRoles', 'expand']);

/**
 * Agents and contacts are Jira users, and every instance can read one: its own (`myself`), which
 * has the members of the user bean that `/user` and `/user/search` give. No member is filterable,
 * as Jira searches users only by `where=username='…'`, a search parameter rather than a field.
 */
export async function userMetadata(ctx: HubContext): Promise<ObjectField[]> {
  const me = await new JiraApi(ctx).get<Record<string, unknown>>('/rest/api/2/myself');
  return fieldsOfSample(me, USER_READ_ONLY).map((field) => ({ ...field, filterable: false }));
}

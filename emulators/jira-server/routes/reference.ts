import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { CustomFieldKind } from '../state/model.ts';
import { jiraError } from '../replies.ts';
import { objectBody, pageParams, requireAdmin } from './helpers.ts';

const CUSTOM_TYPES: Record<string, { kind: CustomFieldKind; type: string; items?: string }> = {
  select: { kind: 'select', type: 'option' },
  multiselect: { kind: 'multiselect', type: 'array', items: 'option' },
  textfield: { kind: 'text', type: 'string' },
  textarea: { kind: 'textarea', type: 'string' },
  float: { kind: 'number', type: 'number' },
  datepicker: { kind: 'date', type: 'date' },
  datetime: { kind: 'datetime', type: 'datetime' },
  userpicker: { kind: 'userpicker', type: 'user' },
  grouppicker: { kind: 'grouppicker', type: 'group' },
  labels: { kind: 'labels', type: 'array', items: 'string' },
};

/** Priorities, statuses, resolutions, issue types and fields (jira-server.md §4.12, §4.13). */
export function registerReferenceRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();
  const paged = <T>(items: T[], query: unknown) => {
    const { startAt, maxResults } = pageParams(query as Record<string, string>, 50, 1000);
    const values = items.slice(startAt, startAt + maxResults);
    return { self: '', maxResults, startAt, total: items.length, isLast: startAt + values.length >= items.length, values };
  };

  app.get('/rest/api/2/priority', async () => em.state.priorities.map((p) => ser().priority(p)));
  app.get('/rest/api/2/priority/page', async (request) =>
    paged(
      em.state.priorities.map((p) => ser().priority(p)),
      request.query,
    ),
  );
  app.get('/rest/api/2/priority/:id', async (request, reply) => {
    const p = em.state.priorities.find((x) => x.id === (request.params as { id: string }).id);
    return p ? ser().priority(p) : jiraError(reply, 404, [`Cannot find priority with id '${(request.params as { id: string }).id}'`]);
  });

  app.get('/rest/api/2/status', async () => [...em.state.statuses.values()].map((s) => ser().status(s)));
  app.get('/rest/api/2/status/page', async (request) =>
    paged(
      [...em.state.statuses.values()].map((s) => ser().status(s)),
      request.query,
    ),
  );
  app.get('/rest/api/2/status/:idOrName', async (request, reply) => {
    const v = (request.params as { idOrName: string }).idOrName;
    const s = em.state.statuses.get(v) ?? [...em.state.statuses.values()].find((x) => x.name.toLowerCase() === v.toLowerCase());
    return s ? ser().status(s) : jiraError(reply, 404, [`The status with id '${v}' does not exist`]);
  });

  app.get('/rest/api/2/statuscategory', async () => [
    { self: ser().api('statuscategory/1'), id: 1, key: 'undefined', colorName: 'medium-gray', name: 'No Category' },
    { self: ser().api('statuscategory/2'), id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
    { self: ser().api('statuscategory/4'), id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
    { self: ser().api('statuscategory/3'), id: 3, key: 'done', colorName: 'green', name: 'Done' },
  ]);

  app.get('/rest/api/2/resolution', async () => em.state.resolutions.map((r) => ser().resolution(r)));
  app.get('/rest/api/2/resolution/:id', async (request, reply) => {
    const r = em.state.resolutions.find((x) => x.id === (request.params as { id: string }).id);
    return r ? ser().resolution(r) : jiraError(reply, 404, [`Cannot find resolution with id '${(request.params as { id: string }).id}'`]);
  });

  app.get('/rest/api/2/issuetype', async () => [...em.state.issueTypes.values()].map((t) => ser().issueType(t)));
  app.get('/rest/api/2/issuetype/page', async (request) =>
    paged(
      [...em.state.issueTypes.values()].map((t) => ser().issueType(t)),
      request.query,
    ),
  );
  app.get('/rest/api/2/issuetype/:id', async (request, reply) => {
    const t = em.state.issueTypes.get((request.params as { id: string }).id);
    return t ? ser().issueType(t) : jiraError(reply, 404, [`The issue type with id '${(request.params as { id: string }).id}' does not exist`]);
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issuetype-createIssueType
  app.post('/rest/api/2/issuetype', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const b = objectBody(request);
    if (typeof b.name !== 'string' || b.name.trim() === '') return jiraError(reply, 400, [], { name: 'You must specify a unique name for the issue type.' });
    if (b.name.length > 60) return jiraError(reply, 400, [], { name: 'The issue type name must not exceed 60 characters.' });
    if ([...em.state.issueTypes.values()].some((t) => t.name.toLowerCase() === String(b.name).toLowerCase())) {
      return jiraError(reply, 409, [], { name: 'An issue type with this name already exists.' });
    }
    if (b.type !== undefined && b.type !== 'standard' && b.type !== 'subtask')
      return jiraError(reply, 400, [], { type: "The type must be 'standard' or 'subtask'." });
    const t = {
      id: String(em.state.next('issueType')),
      name: b.name,
      description: typeof b.description === 'string' ? b.description : '',
      subtask: b.type === 'subtask',
      avatarId: 10300,
    };
    em.state.issueTypes.set(t.id, t);
    return reply.code(201).send(ser().issueType(t));
  });

  app.put('/rest/api/2/issuetype/:id', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const t = em.state.issueTypes.get((request.params as { id: string }).id);
    if (!t) return jiraError(reply, 404, [`The issue type with id '${(request.params as { id: string }).id}' does not exist`]);
    const b = objectBody(request);
    if (b.name !== undefined) {
      if (typeof b.name !== 'string' || b.name.trim() === '') return jiraError(reply, 400, [], { name: 'You must specify a unique name for the issue type.' });
      if ([...em.state.issueTypes.values()].some((x) => x !== t && x.name.toLowerCase() === String(b.name).toLowerCase()))
        return jiraError(reply, 409, [], { name: 'An issue type with this name already exists.' });
      t.name = b.name;
    }
    if (typeof b.description === 'string') t.description = b.description;
    return ser().issueType(t);
  });

  app.delete('/rest/api/2/issuetype/:id', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const id = (request.params as { id: string }).id;
    if (!em.state.issueTypes.has(id)) return jiraError(reply, 404, [`The issue type with id '${id}' does not exist`]);
    if ([...em.state.issues.values()].some((i) => i.fields.issuetype === id))
      return jiraError(reply, 400, ['The issue type is used by issues; pass alternativeIssueTypeId.']);
    em.state.issueTypes.delete(id);
    for (const p of em.state.projects.values()) p.issueTypeIds = p.issueTypeIds.filter((x) => x !== id);
    return reply.code(204).send();
  });

  const fieldJson = (f: ReturnType<typeof em.state.fields.get> & object) => ({
    id: f.id,
    name: f.name,
    custom: f.custom,
    orderable: f.orderable,
    navigable: f.navigable,
    searchable: f.searchable,
    clauseNames: f.custom ? [`cf[${f.schema.customId}]`, f.name] : [f.id],
    schema: f.schema,
  });

  app.get('/rest/api/2/field', async () => [...em.state.fields.values()].map(fieldJson));

  // Custom field creation (admin): https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/field-createCustomField
  app.post('/rest/api/2/field', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const b = objectBody(request);
    if (typeof b.name !== 'string' || b.name.trim() === '') return jiraError(reply, 400, [], { name: 'The custom field name must be specified.' });
    const type = typeof b.type === 'string' ? b.type : '';
    const short = type.replace('com.atlassian.jira.plugin.system.customfieldtypes:', '');
    const spec = Object.hasOwn(CUSTOM_TYPES, short) ? CUSTOM_TYPES[short] : undefined;
    if (!type.startsWith('com.atlassian.jira.plugin.system.customfieldtypes:') || !spec)
      return jiraError(reply, 400, [], { type: `Custom field type '${type}' is invalid.` });
    const n = em.state.next('customField');
    const f = {
      id: `customfield_${n}`,
      name: b.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      kind: spec.kind,
      description: typeof b.description === 'string' ? b.description : '',
      schema: { type: spec.type, ...(spec.items && { items: spec.items }), custom: type, customId: n },
      ...((spec.kind === 'select' || spec.kind === 'multiselect') && { options: [] }),
    };
    em.state.fields.set(f.id, f);
    return reply.code(201).send(fieldJson(f));
  });

  app.get('/rest/api/2/customFieldOption/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    for (const f of em.state.fields.values()) {
      const o = f.options?.find((x) => x.id === id);
      // This bean carries a numeric id, unlike option values embedded in issues.
      if (o) return { self: ser().api(`customFieldOption/${o.id}`), value: o.value, id: Number(o.id), disabled: o.disabled };
    }
    return jiraError(reply, 404, [`Custom field option with id '${id}' does not exist.`]);
  });
}

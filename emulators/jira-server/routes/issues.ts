import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { FieldDefinition, Issue, Project } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError, notFoundIssue, startArrayMessage } from '../replies.ts';
import { issueBean, listParam } from '../serialize/issue.ts';
import { SCREEN_FIELDS } from '../state/field-input.ts';
import { mutate, objectBody, pageParams, visibleIssue } from './helpers.ts';

const ISSUE_UPDATE_BEAN = 'com.atlassian.jira.rest.v2.issue.IssueUpdateBean';

/** Transitions valid from the issue's current status (jira-server.md §4.5). */
export function transitionsFor(em: Emulator, issue: Issue, withFields = false): Record<string, unknown>[] {
  const ser = em.serializer();
  return em.state.transitions
    .filter((t) => t.from.includes(issue.fields.status))
    .map((t) => ({
      id: t.id,
      name: t.name,
      opsbarSequence: t.opsbarSequence,
      description: '',
      to: ser.status(em.state.status(t.to)),
      fields: withFields && t.resolution === 'set' ? { resolution: fieldMeta(em, em.state.fields.get('resolution')!, false) } : {},
    }));
}

/** One field's create/edit metadata: `{required, schema, name, fieldId, operations, allowedValues?}`. */
function fieldMeta(em: Emulator, def: FieldDefinition, required: boolean, project?: Project): Record<string, unknown> {
  const ser = em.serializer();
  const meta: Record<string, unknown> = {
    required,
    schema: def.schema,
    name: def.name,
    fieldId: def.id,
    hasDefaultValue: def.id === 'priority',
    operations: def.schema.type === 'array' ? ['add', 'set', 'remove'] : ['set'],
  };
  if (def.id === 'priority') meta.allowedValues = em.state.priorities.map((p) => ser.priority(p));
  if (def.id === 'resolution') meta.allowedValues = em.state.resolutions.map((r) => ser.resolution(r));
  if (def.id === 'components' && project) meta.allowedValues = project.components.map((c) => ser.component(c));
  if (def.id === 'assignee' || def.id === 'reporter' || def.kind === 'userpicker') meta.autoCompleteUrl = ser.api('user/search?username=');
  if (def.options)
    meta.allowedValues = def.options.map((o) => ({ self: ser.api(`customFieldOption/${o.id}`), value: o.value, id: o.id, disabled: o.disabled }));
  return meta;
}

/** The create screen: what create validation accepts and requires, so the two can never disagree. */
export function createMetaFields(em: Emulator, project: Project, issueTypeId: string): Record<string, unknown>[] {
  const type = em.state.issueTypes.get(issueTypeId)!;
  const ids = [
    'summary',
    'issuetype',
    'project',
    ...SCREEN_FIELDS.filter((f) => !['summary', 'issuetype', 'project', 'parent'].includes(f)),
    ...(type.subtask ? ['parent'] : []),
  ];
  const defs = [...ids.map((id) => em.state.fields.get(id)!), ...[...em.state.fields.values()].filter((f) => f.custom)];
  return defs.map((def) => {
    const required = ['summary', 'issuetype', 'project'].includes(def.id) || (def.id === 'parent' && type.subtask);
    const meta = fieldMeta(em, def, required, project);
    if (def.id === 'project') meta.allowedValues = [em.serializer().projectShort(project)];
    if (def.id === 'issuetype') meta.allowedValues = [em.serializer().issueType(type)];
    return meta;
  });
}

export function registerIssueRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-createIssue
  app.post('/rest/api/2/issue', async (request, reply) => {
    if (Array.isArray(request.body)) return jiraError(reply, 400, [startArrayMessage(ISSUE_UPDATE_BEAN)]);
    const issue = mutate(reply, () => em.domain.createIssue(caller(request), objectBody(request)));
    if (!issue) return reply;
    return reply.code(201).send({ id: issue.id, key: issue.key, self: ser().api(`issue/${issue.id}`) });
  });

  app.post('/rest/api/2/issue/bulk', async (request, reply) => {
    const updates = (objectBody(request).issueUpdates ?? []) as Record<string, unknown>[];
    const issues: unknown[] = [];
    const errors: unknown[] = [];
    updates.forEach((u, index) => {
      try {
        const issue = em.domain.createIssue(caller(request), u);
        issues.push({ id: issue.id, key: issue.key, self: ser().api(`issue/${issue.id}`) });
      } catch (err) {
        const e = err as { errors?: Record<string, string>; errorMessages?: string[] };
        errors.push({ status: 400, elementErrors: { errorMessages: e.errorMessages ?? [], errors: e.errors ?? {} }, failedElementNumber: index });
      }
    });
    return reply.code(issues.length ? 201 : 400).send({ issues, errors });
  });

  // The global createmeta was removed in 9.0: the path then reads "createmeta" as an issue key.
  app.get('/rest/api/2/issue/createmeta', async (request, reply) => {
    if (!em.config.profile.globalCreateMeta) return notFoundIssue(reply);
    const q = request.query as Record<string, string | undefined>;
    const keys = listParam(q.projectKeys);
    const ids = listParam(q.projectIds);
    const expand = listParam(q.expand).includes('projects.issuetypes.fields');
    const projects = [...em.state.projects.values()].filter(
      (p) => em.state.canBrowse(caller(request), p) && (!keys.length || keys.includes(p.key)) && (!ids.length || ids.includes(p.id)),
    );
    return {
      expand: 'projects',
      projects: projects.map((p) => ({
        ...ser().projectShort(p),
        issuetypes: p.issueTypeIds.map((t) => ({
          ...ser().issueType(em.state.issueTypes.get(t)!),
          ...(expand && { fields: Object.fromEntries(createMetaFields(em, p, t).map((f) => [f.fieldId as string, f])) }),
        })),
      })),
    };
  });

  // 9.0+: https://docs.atlassian.com/software/jira/docs/api/REST/9.0.0/#api/2/issue-getCreateIssueMetaProjectIssueTypes
  app.get('/rest/api/2/issue/createmeta/:projectIdOrKey/issuetypes', async (request, reply) => {
    const project = em.state.projectByIdOrKey((request.params as { projectIdOrKey: string }).projectIdOrKey);
    if (!project || !em.state.canBrowse(caller(request), project)) return jiraError(reply, 404, ['No project could be found with key or id.']);
    const { startAt, maxResults } = pageParams(request.query as Record<string, string>, 50, 50);
    const all = project.issueTypeIds.map((t) => ser().issueType(em.state.issueTypes.get(t)!));
    const values = all.slice(startAt, startAt + maxResults);
    return { maxResults, startAt, total: all.length, isLast: startAt + values.length >= all.length, values };
  });

  app.get('/rest/api/2/issue/createmeta/:projectIdOrKey/issuetypes/:issueTypeId', async (request, reply) => {
    const { projectIdOrKey, issueTypeId } = request.params as { projectIdOrKey: string; issueTypeId: string };
    const project = em.state.projectByIdOrKey(projectIdOrKey);
    if (!project || !em.state.canBrowse(caller(request), project)) return jiraError(reply, 404, ['No project could be found with key or id.']);
    if (!project.issueTypeIds.includes(issueTypeId)) return jiraError(reply, 404, ['The issue type is not valid for this project.']);
    const { startAt, maxResults } = pageParams(request.query as Record<string, string>, 50, 50);
    const all = createMetaFields(em, project, issueTypeId);
    const values = all.slice(startAt, startAt + maxResults);
    return { maxResults, startAt, total: all.length, isLast: startAt + values.length >= all.length, values };
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-getIssue
  app.get('/rest/api/2/issue/:issueIdOrKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const q = request.query as Record<string, string | undefined>;
    return issueBean(
      ser(),
      issue,
      {
        fields: listParam(q.fields),
        expand: listParam(q.expand),
        properties: listParam(q.properties),
        viewerKey: caller(request).key,
        transitions: () => transitionsFor(em, issue),
        editmeta: () => ({ fields: editMeta(issue) }),
      },
      '*all',
    );
  });

  const editMeta = (issue: Issue) => {
    const project = em.state.projects.get(issue.fields.project)!;
    return Object.fromEntries(
      createMetaFields(em, project, issue.fields.issuetype)
        .filter((f) => f.fieldId !== 'project')
        .map((f) => [f.fieldId as string, f]),
    );
  };

  app.get('/rest/api/2/issue/:issueIdOrKey/editmeta', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    return { fields: editMeta(issue) };
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-editIssue
  app.put('/rest/api/2/issue/:issueIdOrKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    if (Array.isArray(request.body)) return jiraError(reply, 400, [startArrayMessage(ISSUE_UPDATE_BEAN)]);
    const q = request.query as Record<string, string | undefined>;
    if (q.notifyUsers === 'false' && !em.state.isAdmin(caller(request))) {
      return jiraError(reply, 403, ['To discard the user notification either admin or project admin permissions are required.']);
    }
    const body = objectBody(request) as { fields?: Record<string, unknown>; update?: Record<string, unknown[]> };
    const done = mutate(reply, () => {
      em.domain.editIssue(caller(request), issue, body);
      return true;
    });
    if (!done) return reply;
    return reply.code(204).send();
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const deleteSubtasks = (request.query as { deleteSubtasks?: string }).deleteSubtasks === 'true';
    const done = mutate(reply, () => {
      em.domain.deleteIssue(caller(request), issue, deleteSubtasks);
      return true;
    });
    if (!done) return reply;
    return reply.code(204).send();
  });

  app.put('/rest/api/2/issue/:issueIdOrKey/assignee', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { name } = objectBody(request) as { name?: string | null };
    const value = name === null || name === undefined ? null : { name };
    const done = mutate(reply, () => {
      em.domain.editIssue(caller(request), issue, { fields: { assignee: value } });
      return true;
    });
    if (!done) return reply;
    return reply.code(204).send();
  });

  app.get('/rest/api/2/issue/:issueIdOrKey/transitions', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const q = request.query as Record<string, string | undefined>;
    let transitions = transitionsFor(em, issue, listParam(q.expand).includes('transitions.fields'));
    if (q.transitionId) transitions = transitions.filter((t) => t.id === q.transitionId);
    return { expand: 'transitions', transitions };
  });

  app.post('/rest/api/2/issue/:issueIdOrKey/transitions', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const body = objectBody(request) as { transition?: { id?: unknown }; fields?: Record<string, unknown>; update?: Record<string, unknown[]> };
    const id = body.transition?.id;
    if (id === undefined || id === null) return jiraError(reply, 400, ["Missing 'transition' identifier"]);
    const done = mutate(reply, () => {
      em.domain.transition(caller(request), issue, String(id), body.fields ?? {}, body.update ?? {});
      return true;
    });
    if (!done) return reply;
    return reply.code(204).send();
  });

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue-notify
  app.post('/rest/api/2/issue/:issueIdOrKey/notify', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const body = objectBody(request) as { subject?: unknown; textBody?: unknown; to?: { users?: { name?: string }[]; groups?: { name?: string }[] } };
    for (const u of body.to?.users ?? []) {
      if (!u.name || !em.state.userByName(u.name)) return jiraError(reply, 400, [`User '${u.name}' does not exist.`]);
    }
    for (const g of body.to?.groups ?? []) {
      if (!g.name || !em.state.groups.has(g.name)) return jiraError(reply, 400, [`Group '${g.name}' does not exist.`]);
    }
    if (body.textBody === undefined && (body as { htmlBody?: unknown }).htmlBody === undefined)
      return jiraError(reply, 400, ['Either textBody or htmlBody is required.']);
    em.state.outbox.push({ issueKey: issue.key, at: em.clock.now(), body });
    return reply.code(204).send();
  });

  // Entity properties: https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/issue/{issueIdOrKey}/properties
  app.get('/rest/api/2/issue/:issueIdOrKey/properties', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    return { keys: [...issue.properties.keys()].map((key) => ({ self: ser().api(`issue/${issue.id}/properties/${encodeURIComponent(key)}`), key })) };
  });

  app.get('/rest/api/2/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!issue.properties.has(propertyKey)) return jiraError(reply, 404, [`The property with key '${propertyKey}' does not exist.`]);
    return { key: propertyKey, value: issue.properties.get(propertyKey) };
  });

  app.put('/rest/api/2/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (propertyKey.length > 255) return jiraError(reply, 400, ['The property key cannot be longer than 255 characters.']);
    if (request.body === undefined) return jiraError(reply, 400, ['The property value must be a valid JSON.']);
    if (JSON.stringify(request.body).length > 32_768) return jiraError(reply, 400, ['The property value cannot be longer than 32768 characters.']);
    const created = em.domain.setProperty(caller(request), issue, propertyKey, request.body);
    return reply.code(created ? 201 : 200).send();
  });

  app.delete('/rest/api/2/issue/:issueIdOrKey/properties/:propertyKey', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    const { propertyKey } = request.params as { propertyKey: string };
    if (!issue.properties.has(propertyKey)) return jiraError(reply, 404, [`The property with key '${propertyKey}' does not exist.`]);
    em.domain.deleteProperty(caller(request), issue, propertyKey);
    return reply.code(204).send();
  });

  app.get('/rest/api/2/issue/:issueIdOrKey/watchers', async (request, reply) => {
    const issue = visibleIssue(em, request, reply);
    if (!issue) return reply;
    return {
      self: ser().api(`issue/${issue.key}/watchers`),
      isWatching: issue.watcherKeys.includes(caller(request).key),
      watchCount: issue.watcherKeys.length,
      watchers: issue.watcherKeys.map((k) => ser().userByKey(k)),
    };
  });
}

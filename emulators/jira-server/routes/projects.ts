import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Project } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { listParam } from '../serialize/issue.ts';
import { objectBody, requireAdmin } from './helpers.ts';

const PROJECT_TYPES = ['software', 'business', 'service_desk'];

/** Projects and their components (jira-server.md §4.12). */
export function registerProjectRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();
  const find = (idOrKey: string, request: Parameters<typeof caller>[0]): Project | undefined => {
    const p = em.state.projectByIdOrKey(idOrKey);
    return p && em.state.canBrowse(caller(request), p) ? p : undefined;
  };
  const missing = (idOrKey: string) => [`No project could be found with key '${idOrKey}'.`];

  // A plain array on Server/DC (Cloud pages /project/search instead).
  app.get('/rest/api/2/project', async (request) => {
    const expand = listParam((request.query as { expand?: string }).expand);
    return [...em.state.projects.values()]
      .filter((p) => em.state.canBrowse(caller(request), p) && !p.archived)
      .map((p) => {
        const bean = ser().project(p);
        if (expand.includes('lead')) bean.lead = ser().userByKey(p.leadKey);
        if (expand.includes('description')) bean.description = p.description;
        return bean;
      });
  });

  app.get('/rest/api/2/project/:idOrKey', async (request, reply) => {
    const { idOrKey } = request.params as { idOrKey: string };
    const p = find(idOrKey, request);
    return p ? ser().project(p, true) : jiraError(reply, 404, missing(idOrKey));
  });

  app.post('/rest/api/2/project', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const b = objectBody(request);
    const errors: Record<string, string> = {};
    const key = typeof b.key === 'string' ? b.key : '';
    if (!/^[A-Z][A-Z0-9_]{1,9}$/.test(key))
      errors.projectKey = 'Project keys must start with an uppercase letter, followed by one or more uppercase alphanumeric characters.';
    else if (em.state.projectByIdOrKey(key)) errors.projectKey = `Project '${em.state.projectByIdOrKey(key)!.name}' uses this project key.`;
    if (typeof b.name !== 'string' || b.name.trim() === '') errors.projectName = 'You must specify a valid project name.';
    else if ([...em.state.projects.values()].some((p) => p.name.toLowerCase() === String(b.name).toLowerCase()))
      errors.projectName = 'A project with that name already exists.';
    if (typeof b.projectTypeKey !== 'string' || !PROJECT_TYPES.includes(b.projectTypeKey))
      errors.projectType = 'A project type must be specified (software, business or service_desk).';
    const lead = typeof b.lead === 'string' ? em.state.userByName(b.lead) : undefined;
    if (!lead) errors.projectLead = 'You must specify a valid project lead.';
    if (Object.keys(errors).length) return jiraError(reply, 400, [], errors);
    const p: Project = {
      id: String(em.state.next('project')),
      key,
      name: String(b.name),
      description: typeof b.description === 'string' ? b.description : '',
      leadKey: lead!.key,
      projectTypeKey: String(b.projectTypeKey),
      components: [],
      versions: [],
      issueTypeIds: ['10001', '10002', '10003', '10004'].filter((t) => em.state.issueTypes.has(t)),
      nextIssueNumber: 1,
      browseGroups: [],
      archived: false,
    };
    em.state.projects.set(p.id, p);
    return reply.code(201).send({ self: ser().api(`project/${p.id}`), id: Number(p.id), key: p.key });
  });

  app.put('/rest/api/2/project/:idOrKey', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const { idOrKey } = request.params as { idOrKey: string };
    const p = find(idOrKey, request);
    if (!p) return jiraError(reply, 404, missing(idOrKey));
    const b = objectBody(request);
    if (b.key !== undefined && b.key !== p.key) return jiraError(reply, 400, [], { projectKey: 'Changing the project key is not supported by this emulator.' });
    if (typeof b.name === 'string' && b.name.trim() !== '') p.name = b.name;
    if (typeof b.description === 'string') p.description = b.description;
    if (typeof b.lead === 'string') {
      const lead = em.state.userByName(b.lead);
      if (!lead) return jiraError(reply, 400, [], { projectLead: 'You must specify a valid project lead.' });
      p.leadKey = lead.key;
    }
    return ser().project(p, true);
  });

  app.delete('/rest/api/2/project/:idOrKey', async (request, reply) => {
    if (!requireAdmin(em, request, reply)) return reply;
    const { idOrKey } = request.params as { idOrKey: string };
    const p = find(idOrKey, request);
    if (!p) return jiraError(reply, 404, missing(idOrKey));
    for (const i of [...em.state.issues.values()])
      if (i.fields.project === p.id) {
        em.state.issues.delete(i.id);
        em.state.issuesByKey.delete(i.key);
      }
    em.state.projects.delete(p.id);
    return reply.code(204).send();
  });

  app.get('/rest/api/2/project/:idOrKey/statuses', async (request, reply) => {
    const { idOrKey } = request.params as { idOrKey: string };
    const p = find(idOrKey, request);
    if (!p) return jiraError(reply, 404, missing(idOrKey));
    return p.issueTypeIds.map((id) => {
      const t = em.state.issueTypes.get(id)!;
      return {
        self: ser().api(`issuetype/${t.id}`),
        id: t.id,
        name: t.name,
        subtask: t.subtask,
        statuses: [...em.state.statuses.values()].map((s) => ser().status(s)),
      };
    });
  });

  app.get('/rest/api/2/project/:idOrKey/components', async (request, reply) => {
    const { idOrKey } = request.params as { idOrKey: string };
    const p = find(idOrKey, request);
    if (!p) return jiraError(reply, 404, missing(idOrKey));
    return p.components.map((c) => ser().componentDetail(c, p));
  });

  app.post('/rest/api/2/component', async (request, reply) => {
    const b = objectBody(request);
    const p = typeof b.project === 'string' ? find(b.project, request) : undefined;
    if (!p) return jiraError(reply, 400, [], { project: 'The project is required.' });
    if (!em.state.isAdmin(caller(request)) && p.leadKey !== caller(request).key)
      return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    if (typeof b.name !== 'string' || b.name.trim() === '') return jiraError(reply, 400, [], { name: 'The component name is required.' });
    if (p.components.some((c) => c.name.toLowerCase() === String(b.name).toLowerCase()))
      return jiraError(reply, 400, [], { name: `A component with the name ${b.name} already exists in this project.` });
    const c = { id: String(em.state.next('component')), name: b.name, description: typeof b.description === 'string' ? b.description : '', leadKey: null };
    p.components.push(c);
    return reply.code(201).send(ser().componentDetail(c, p));
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Component, Project, Version } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { objectBody } from './helpers.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Project versions (`/version`, `/project/{key}/versions`) and single components
 * (`/component/{id}`). Changing either needs project administration: a Jira administrator or
 * the project lead.
 */
export function registerVersionRoutes(app: FastifyInstance, em: Emulator): void {
  const ser = () => em.serializer();
  const visible = (request: FastifyRequest, p: Project | undefined) => (p && em.state.canBrowse(caller(request), p) ? p : undefined);
  const mayAdminister = (request: FastifyRequest, p: Project) => em.state.isAdmin(caller(request)) || p.leadKey === caller(request).key;

  function versionById(request: FastifyRequest, reply: FastifyReply): { version: Version; project: Project } | undefined {
    const { id } = request.params as { id: string };
    for (const p of em.state.projects.values()) {
      const version = p.versions.find((v) => v.id === id);
      if (version && visible(request, p)) return { version, project: p };
    }
    jiraError(reply, 404, [`Could not find version for id '${id}'`]);
    return undefined;
  }

  /** Applies a version body's members; answers 400 with Jira's field errors. */
  function applyVersion(reply: FastifyReply, p: Project, target: Version, b: Record<string, unknown>, creating: boolean): boolean {
    const errors: Record<string, string> = {};
    if (b.name !== undefined || creating) {
      if (typeof b.name !== 'string' || b.name.trim() === '') errors.name = 'You must specify a valid version name';
      else if (b.name.length > 255) errors.name = 'The version name must not exceed 255 characters.';
      else if (p.versions.some((v) => v !== target && v.name.toLowerCase() === String(b.name).trim().toLowerCase()))
        errors.name = 'A version with this name already exists in this project.';
    }
    for (const field of ['releaseDate', 'startDate'] as const) {
      const value = b[field];
      if (value !== undefined && value !== null && (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))))
        errors[field] = `Invalid date format. Please enter the date in the format "yyyy-MM-dd".`;
    }
    if (Object.keys(errors).length) {
      jiraError(reply, 400, [], errors);
      return false;
    }
    if (typeof b.name === 'string') target.name = b.name.trim();
    if (typeof b.description === 'string') target.description = b.description;
    if (typeof b.archived === 'boolean') target.archived = b.archived;
    if (typeof b.released === 'boolean') target.released = b.released;
    if (b.releaseDate !== undefined) target.releaseDate = (b.releaseDate as string | null) ?? null;
    if (b.startDate !== undefined) target.startDate = (b.startDate as string | null) ?? null;
    return true;
  }

  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/version-createVersion
  app.post('/rest/api/2/version', async (request, reply) => {
    const b = objectBody(request);
    const ref = b.projectId ?? b.project;
    const p = visible(request, ref === undefined ? undefined : em.state.projectByIdOrKey(String(ref)));
    if (!p) return jiraError(reply, 400, [], { project: 'Project must be specified to create a version.' });
    if (!mayAdminister(request, p)) return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    const version: Version = { id: '', name: '', description: '', archived: false, released: false, releaseDate: null, startDate: null };
    if (!applyVersion(reply, p, version, b, true)) return reply;
    version.id = String(em.state.next('version'));
    p.versions.push(version);
    return reply.code(201).send(ser().version(version, p));
  });

  app.get('/rest/api/2/version/:id', async (request, reply) => {
    const found = versionById(request, reply);
    return found ? ser().version(found.version, found.project) : reply;
  });

  app.put('/rest/api/2/version/:id', async (request, reply) => {
    const found = versionById(request, reply);
    if (!found) return reply;
    if (!mayAdminister(request, found.project)) return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    if (!applyVersion(reply, found.project, found.version, objectBody(request), false)) return reply;
    return ser().version(found.version, found.project);
  });

  app.delete('/rest/api/2/version/:id', async (request, reply) => {
    const found = versionById(request, reply);
    if (!found) return reply;
    if (!mayAdminister(request, found.project)) return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    found.project.versions = found.project.versions.filter((v) => v !== found.version);
    return reply.code(204).send();
  });

  app.get('/rest/api/2/project/:idOrKey/versions', async (request, reply) => {
    const { idOrKey } = request.params as { idOrKey: string };
    const p = visible(request, em.state.projectByIdOrKey(idOrKey));
    if (!p) return jiraError(reply, 404, [`No project could be found with key '${idOrKey}'.`]);
    return p.versions.map((v) => ser().version(v, p));
  });

  function componentById(request: FastifyRequest, reply: FastifyReply): { component: Component; project: Project } | undefined {
    const { id } = request.params as { id: string };
    for (const p of em.state.projects.values()) {
      const component = p.components.find((c) => c.id === id);
      if (component && visible(request, p)) return { component, project: p };
    }
    jiraError(reply, 404, [`The component with id ${id} does not exist.`]);
    return undefined;
  }

  app.get('/rest/api/2/component/:id', async (request, reply) => {
    const found = componentById(request, reply);
    return found ? ser().componentDetail(found.component, found.project) : reply;
  });

  app.put('/rest/api/2/component/:id', async (request, reply) => {
    const found = componentById(request, reply);
    if (!found) return reply;
    const { component, project } = found;
    if (!mayAdminister(request, project)) return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    const b = objectBody(request);
    if (b.name !== undefined) {
      if (typeof b.name !== 'string' || b.name.trim() === '') return jiraError(reply, 400, [], { name: 'The component name is required.' });
      if (project.components.some((c) => c !== component && c.name.toLowerCase() === String(b.name).toLowerCase()))
        return jiraError(reply, 400, [], { name: `A component with the name ${b.name} already exists in this project.` });
      component.name = b.name;
    }
    if (typeof b.description === 'string') component.description = b.description;
    if (typeof b.leadUserName === 'string') {
      const lead = em.state.userByName(b.leadUserName);
      if (!lead) return jiraError(reply, 400, [], { leadUserName: `The user ${b.leadUserName} does not exist.` });
      component.leadKey = lead.key;
    }
    return ser().componentDetail(component, project);
  });

  app.delete('/rest/api/2/component/:id', async (request, reply) => {
    const found = componentById(request, reply);
    if (!found) return reply;
    if (!mayAdminister(request, found.project)) return jiraError(reply, 403, ['You cannot edit the configuration of this project.']);
    found.project.components = found.project.components.filter((c) => c !== found.component);
    for (const issue of em.state.issues.values()) {
      if (issue.fields.project === found.project.id) issue.fields.components = issue.fields.components.filter((id) => id !== found.component.id);
    }
    return reply.code(204).send();
  });
}

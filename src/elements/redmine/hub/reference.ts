import type { HubContext, HubOperation } from '../../../hubs/hub-contract.ts';
import { pageInMemory } from '../../../hubs/paging.ts';
import { ApiError } from '../../../platform/errors.ts';
import { REDMINE_PAGE_MAX } from './issues.ts';
import { RedmineApi, enc, objectBody } from './redmine-api.ts';

type Item = { id: number | string; [field: string]: unknown };

/** Redmine's unpaged lists: the path and the member its answer holds them in. */
const LISTS = {
  priorities: { path: '/enumerations/issue_priorities.json', member: 'issue_priorities' },
  statuses: { path: '/issue_statuses.json', member: 'issue_statuses' },
  'incident-types': { path: '/trackers.json', member: 'trackers' },
  // Administrators only: Redmine answers 403 to anyone else.
  fields: { path: '/custom_fields.json', member: 'custom_fields' },
} as const;
type ListName = keyof typeof LISTS;

/** Most projects one listing reads (pages of 100), as `where` and `orderBy` run in memory. */
const MAX_PROJECTS = 10_000;

export async function readList(ctx: HubContext, name: ListName): Promise<Item[]> {
  const { path, member } = LISTS[name];
  return ((await new RedmineApi(ctx).get<Record<string, Item[]>>(path))[member] ?? []) as Item[];
}

/** Redmine has no read of one priority, status or tracker: it is found in the list. */
const listOperations = (name: ListName): HubOperation[] => [
  {
    method: 'GET',
    path: name,
    list: true,
    async handle(req, ctx) {
      return pageInMemory(await readList(ctx, name), req);
    },
  },
  ...(name === 'fields'
    ? []
    : [
        {
          method: 'GET' as const,
          path: `${name}/:id`,
          async handle(req: Parameters<HubOperation['handle']>[0], ctx: HubContext) {
            const found = (await readList(ctx, name)).find((item) => String(item.id) === req.params.id);
            if (!found) throw new ApiError('NOT_FOUND', `Redmine has no ${name} ${req.params.id}`);
            return { kind: 'object' as const, body: found };
          },
        },
      ]),
];

const projectPath = (id: string) => `/projects/${enc(id)}.json`;
const PROJECT_EXAMPLE = '{"name": "…", "identifier": "…"}';

async function allProjects(api: RedmineApi): Promise<Item[]> {
  const all: Item[] = [];
  for (let offset = 0; offset < MAX_PROJECTS; ) {
    const page = await api.get<{ projects: Item[]; total_count: number }>(`/projects.json?offset=${offset}&limit=${REDMINE_PAGE_MAX}`);
    all.push(...page.projects);
    offset += page.projects.length;
    if (page.projects.length === 0 || offset >= page.total_count) break;
  }
  return all;
}

/** Projects (https://www.redmine.org/projects/redmine/wiki/Rest_Projects); an id may be the number or the identifier. */
const projectOperations: HubOperation[] = [
  {
    method: 'GET',
    path: 'projects',
    list: true,
    async handle(req, ctx) {
      return pageInMemory(await allProjects(new RedmineApi(ctx)), req);
    },
  },
  {
    method: 'GET',
    path: 'projects/:id',
    async handle(req, ctx) {
      return { kind: 'object', body: (await new RedmineApi(ctx).get<{ project: Item }>(projectPath(req.params.id!))).project };
    },
  },
  {
    method: 'POST',
    path: 'projects',
    async handle(req, ctx) {
      const created = await new RedmineApi(ctx).post<{ project: Item }>('/projects.json', { project: objectBody(req.body, PROJECT_EXAMPLE) });
      return { kind: 'object', body: created.project };
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      method,
      path: 'projects/:id',
      async handle(req, ctx) {
        const api = new RedmineApi(ctx);
        await api.put(projectPath(req.params.id!), { project: objectBody(req.body, PROJECT_EXAMPLE) });
        return { kind: 'object', body: (await api.get<{ project: Item }>(projectPath(req.params.id!))).project };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: 'projects/:id',
    async handle(req, ctx) {
      await new RedmineApi(ctx).delete(projectPath(req.params.id!));
      return { kind: 'empty' };
    },
  },
];

/** Priorities, statuses, incident types (trackers), custom fields and projects. */
export const referenceOperations: HubOperation[] = [
  ...listOperations('priorities'),
  ...listOperations('statuses'),
  ...listOperations('incident-types'),
  ...listOperations('fields'),
  ...projectOperations,
];

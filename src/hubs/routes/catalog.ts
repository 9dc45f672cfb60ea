import type { FastifyInstance } from 'fastify';
import { notFound } from '../../platform/errors.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import { elementJson } from '../../elements/views.ts';
import type { HubDefinition } from '../hub-catalog.ts';
import { Type } from 'typebox';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { ElementJson } from '../../elements/schemas.ts';

const HubJson = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    key: Type.String(),
    description: Type.String(),
    videoLink: Type.String(),
    active: Type.Boolean(),
    resources: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
  },
  { title: 'Hub' },
);

/** `/hubs`, `/hubs/keys`, `/hubs/{key}`, `/hubs/{key}/elements`. */
export function registerHubCatalogRoutes(app: FastifyInstance, registry: ElementRegistry): void {
  const resourcesOf = (hub: HubDefinition): string[] => [
    ...new Set(
      registry
        .all()
        .filter((e) => e.hub === hub.key)
        .flatMap((e) => e.resources.map((r) => r.name)),
    ),
  ];
  const hubJson = (hub: HubDefinition, hydrate: boolean) => ({
    id: hub.id,
    name: hub.name,
    key: hub.key,
    description: hub.description,
    videoLink: hub.videoLink,
    active: true,
    ...(hydrate && { resources: resourcesOf(hub).map((name) => ({ name })) }),
  });
  const find = (key: string): HubDefinition => {
    const hub = registry.hubs().find((h) => h.key === key);
    if (!hub) throw notFound(`No hub found with key ${key.slice(0, 100)}`);
    return hub;
  };
  const api = typed(app);
  const config = { auth: 'optional' as const };
  const tags = ['hubs'];
  const params = Type.Object({ hub: Type.String({ maxLength: 100 }) });

  api.get(
    '/hubs',
    {
      config,
      schema: {
        tags,
        summary: 'The hubs',
        querystring: Type.Object({ hydrate: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Array(HubJson), ...errorResponses },
      },
    },
    async (request) => registry.hubs().map((h) => hubJson(h, request.query.hydrate === true)),
  );
  api.get(
    '/hubs/keys',
    { config, schema: { tags, summary: "The hubs' keys", querystring: NoQuery, response: { 200: Type.Array(Type.String()), ...errorResponses } } },
    async () => registry.hubs().map((h) => h.key),
  );
  api.get(
    '/hubs/:hub',
    { config, schema: { tags, summary: 'One hub with its resources', params, querystring: NoQuery, response: { 200: HubJson, ...errorResponses } } },
    async (request) => hubJson(find(request.params.hub), true),
  );
  api.get(
    '/hubs/:hub/elements',
    {
      config,
      schema: { tags, summary: 'The elements of one hub', params, querystring: NoQuery, response: { 200: Type.Array(ElementJson), ...errorResponses } },
    },
    async (request) => {
      const hub = find(request.params.hub);
      return registry
        .all()
        .filter((e) => e.hub === hub.key)
        .map(elementJson);
    },
  );
}

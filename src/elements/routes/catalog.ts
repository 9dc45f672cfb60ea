import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { ElementRegistry } from '../registry.ts';
import type { ElementDefinition } from '../element-definition.ts';
import { configurationList, elementJson, metadataJson } from '../views.ts';
import { ConfigurationJson, ElementJson, KeyOrIdParams, MetadataJson } from '../schemas.ts';
import type { Identity } from '../../auth/identity.ts';

/**
 * Counts shown in expanded metadata. Supplied by the instances feature once it exists; the
 * catalog itself knows no instances.
 */
export type UsageCounter = (
  element: ElementDefinition,
  identity: Identity | null,
) => Promise<{ instanceCount: number; customerCount: number; traffic: number }>;

/** Read-only catalog: `/elements`, `/elements/keys`, `/elements/metadata`, `/elements/{keyOrId}[/configuration|/metadata]`. */
export function registerElementCatalogRoutes(app: FastifyInstance, registry: ElementRegistry, usage: UsageCounter): void {
  const api = typed(app);
  const find = (keyOrId: string): ElementDefinition => {
    const element = registry.find(keyOrId);
    if (!element) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
    return element;
  };
  const config = { auth: 'optional' as const };
  const tags = ['elements'];

  api.get(
    '/elements',
    { config, schema: { summary: 'The connectors', tags, querystring: NoQuery, response: { 200: Type.Array(ElementJson), ...errorResponses } } },
    async () => registry.all().map(elementJson),
  );
  api.get(
    '/elements/keys',
    { config, schema: { summary: "The connectors' keys", tags, querystring: NoQuery, response: { 200: Type.Array(Type.String()), ...errorResponses } } },
    async () => registry.all().map((e) => e.key),
  );
  const MetadataQuery = Type.Object({ expand: Type.Optional(Type.Boolean()) });
  api.get(
    '/elements/metadata',
    {
      config,
      schema: {
        summary: "Every connector's capabilities; with expand=true their resources, bulk, discovery and usage",
        tags,
        querystring: MetadataQuery,
        response: { 200: Type.Array(MetadataJson), ...errorResponses },
      },
    },
    async (request) => {
      const expand = request.query.expand === true;
      return Promise.all(registry.all().map(async (element) => metadataJson(element, expand, await usage(element, request.identity))));
    },
  );
  api.get(
    '/elements/:keyOrId',
    { config, schema: { summary: 'One connector', tags, params: KeyOrIdParams, querystring: NoQuery, response: { 200: ElementJson, ...errorResponses } } },
    async (request) => elementJson(find(request.params.keyOrId)),
  );
  api.get(
    '/elements/:keyOrId/configuration',
    {
      config,
      schema: {
        summary: "A connector's configuration keys",
        tags,
        params: KeyOrIdParams,
        querystring: NoQuery,
        response: { 200: Type.Array(ConfigurationJson), ...errorResponses },
      },
    },
    async (request) => configurationList(find(request.params.keyOrId)),
  );
  api.get(
    '/elements/:keyOrId/metadata',
    {
      config,
      schema: {
        summary: "A connector's capabilities; with expand=true its resources, bulk, discovery and usage",
        tags,
        params: KeyOrIdParams,
        querystring: MetadataQuery,
        response: { 200: MetadataJson, ...errorResponses },
      },
    },
    async (request) => {
      const element = find(request.params.keyOrId);
      return metadataJson(element, request.query.expand === true, await usage(element, request.identity));
    },
  );
}

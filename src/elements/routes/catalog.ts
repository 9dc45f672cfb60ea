import type { FastifyInstance } from 'fastify';
import { notFound } from '../../platform/errors.ts';
import type { ElementRegistry } from '../registry.ts';
import type { ElementDefinition } from '../element-definition.ts';
import { configurationList, elementJson, metadataJson } from '../views.ts';
import type { Identity } from '../../auth/identity.ts';

/**
 * Counts shown in expanded metadata. Supplied by the instances feature once it exists; the
 * catalog itself knows no instances.
 */
export type UsageCounter = (element: ElementDefinition, identity: Identity | null) => Promise<{ instanceCount: number; customerCount: number; traffic: number }>;

/** Read-only catalog: `/elements`, `/elements/keys`, `/elements/{keyOrId}[/configuration|/metadata]`. */
export function registerElementCatalogRoutes(app: FastifyInstance, registry: ElementRegistry, usage: UsageCounter): void {
  const find = (keyOrId: string): ElementDefinition => {
    const element = registry.find(keyOrId);
    if (!element) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
    return element;
  };
  const optional = { config: { auth: 'optional' as const } };

  app.get('/elements', optional, async () => registry.all().map(elementJson));
  app.get('/elements/keys', optional, async () => registry.all().map((e) => e.key));
  app.get('/elements/:keyOrId', optional, async (request) => elementJson(find((request.params as { keyOrId: string }).keyOrId)));
  app.get('/elements/:keyOrId/configuration', optional, async (request) =>
    configurationList(find((request.params as { keyOrId: string }).keyOrId)));
  app.get('/elements/:keyOrId/metadata', optional, async (request) => {
    const element = find((request.params as { keyOrId: string }).keyOrId);
    const expand = (request.query as { expand?: string }).expand === 'true';
    return metadataJson(element, expand, await usage(element, request.identity));
  });
}

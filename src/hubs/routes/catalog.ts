import type { FastifyInstance } from 'fastify';
import { notFound } from '../../platform/errors.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import { elementJson } from '../../elements/views.ts';
import { hubs, type HubDefinition } from '../hub-catalog.ts';

/** `/hubs`, `/hubs/keys`, `/hubs/{key}`, `/hubs/{key}/elements`. */
export function registerHubCatalogRoutes(app: FastifyInstance, registry: ElementRegistry): void {
  const resourcesOf = (hub: HubDefinition): string[] =>
    [...new Set(registry.all().filter((e) => e.hub === hub.key).flatMap((e) => e.resources.map((r) => r.name)))];
  const hubJson = (hub: HubDefinition, hydrate: boolean) => ({
    id: hub.id, name: hub.name, key: hub.key, description: hub.description, videoLink: hub.videoLink, active: true,
    ...(hydrate && { resources: resourcesOf(hub).map((name) => ({ name })) }),
  });
  const find = (key: string): HubDefinition => {
    const hub = hubs.find((h) => h.key === key);
    if (!hub) throw notFound(`No hub found with key ${key.slice(0, 100)}`);
    return hub;
  };
  const optional = { config: { auth: 'optional' as const } };

  app.get('/hubs', optional, async (request) => {
    const hydrate = (request.query as { hydrate?: string }).hydrate === 'true';
    return hubs.map((h) => hubJson(h, hydrate));
  });
  app.get('/hubs/keys', optional, async () => hubs.map((h) => h.key));
  app.get('/hubs/:hub', optional, async (request) => hubJson(find((request.params as { hub: string }).hub), true));
  app.get('/hubs/:hub/elements', optional, async (request) => {
    const hub = find((request.params as { hub: string }).hub);
    return registry.all().filter((e) => e.hub === hub.key).map(elementJson);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { parseId } from '../../platform/http/params.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { Scope, TransformationService } from '../transformation-service.ts';

type Resolver = (request: FastifyRequest) => Promise<Scope>;

/**
 * Object definitions (common resources) at the three levels, and transformations per element at
 * the three levels, with the token-scoped instance forms (open-connectors-api.md §8).
 */
export function registerTransformationRoutes(app: FastifyInstance, service: TransformationService, instances: InstanceService): void {
  const name = (request: FastifyRequest) => (request.params as { name: string }).name;
  const element = (request: FastifyRequest) => (request.params as { keyOrId: string }).keyOrId;
  const org: Resolver = async (r) => service.organization(identityOf(r));
  const account: Resolver = async (r) => service.account(identityOf(r), parseId((r.params as { id: string }).id, 'Account'));
  const byId: Resolver = async (r) => service.instance(await instances.get(identityOf(r), parseId((r.params as { id: string }).id, 'Instance')));
  const byToken: Resolver = async (r) => service.instance(await instances.byToken(identityOf(r)));

  for (const [prefix, scope] of [['/organizations', org], ['/accounts/:id', account], ['/instances/:id', byId], ['/instances', byToken]] as const) {
    const path = `${prefix}/objects/:name/definitions`;
    app.post(path, async (r) => service.putDefinition(await scope(r), name(r), r.body, 'create'));
    app.put(path, async (r) => service.putDefinition(await scope(r), name(r), r.body, 'replace'));
    app.get(path, async (r) => service.getDefinition(await scope(r), name(r)));
    app.delete(path, async (r) => { await service.deleteDefinition(await scope(r), name(r)); return {}; });
  }
  // Mentioned once in the docs (D31): the same as PUT of the definition.
  app.patch('/instances/objects/:name', async (r) => service.putDefinition(await byToken(r), name(r), r.body, 'replace'));

  app.get('/organizations/objects/definitions', async (r) => {
    const defs = await service.listDefinitions(identityOf(r).organizationId, await org(r));
    return Object.fromEntries(defs.map((d) => [d.objectName, { fields: d.fields, level: d.level }]));
  });
  app.get('/common-resources', async (r) => {
    const defs = await service.listDefinitions(identityOf(r).organizationId);
    return defs.map((d) => ({ name: d.objectName, level: d.level, fields: d.fields.map((f) => ({ ...f, associatedLevel: d.level })) }));
  });

  for (const [path, scope] of [
    ['/organizations/elements/:keyOrId/transformations/:name', org],
    ['/accounts/:id/elements/:keyOrId/transformations/:name', account],
  ] as const) {
    app.post(path, async (r) => service.putTransformation(await scope(r), element(r), name(r), r.body, 'create'));
    app.put(path, async (r) => service.putTransformation(await scope(r), element(r), name(r), r.body, 'replace'));
    app.get(path, async (r) => service.getTransformation(await scope(r), element(r), name(r)));
    app.delete(path, async (r) => { await service.deleteTransformation(await scope(r), element(r), name(r)); return {}; });
  }

  const instanceOf = async (r: FastifyRequest, token: boolean) => (token ? instances.byToken(identityOf(r)) : instances.get(identityOf(r), parseId((r.params as { id: string }).id, 'Instance')));
  for (const [prefix, token] of [['/instances/:id', false], ['/instances', true]] as const) {
    app.post(`${prefix}/transformations/:name`, async (r) => { const i = await instanceOf(r, token); return service.putTransformation(service.instance(i), i.elementKey, name(r), r.body, 'create'); });
    app.put(`${prefix}/transformations/:name`, async (r) => { const i = await instanceOf(r, token); return service.putTransformation(service.instance(i), i.elementKey, name(r), r.body, 'replace'); });
    app.get(`${prefix}/transformations/:name`, async (r) => { const i = await instanceOf(r, token); return service.getTransformation(service.instance(i), i.elementKey, name(r)); });
    app.delete(`${prefix}/transformations/:name`, async (r) => { const i = await instanceOf(r, token); await service.deleteTransformation(service.instance(i), i.elementKey, name(r)); return {}; });
    app.get(`${prefix}/transformations`, async (r) => { const i = await instanceOf(r, token); return service.listTransformations(service.instance(i), i.elementKey); });
    app.delete(`${prefix}/transformations`, async (r) => { const i = await instanceOf(r, token); await service.deleteTransformation(service.instance(i), i.elementKey, undefined); return {}; });
  }

  // The element's default transformations (§4.3): the vendor object behind each resource.
  app.get('/elements/:keyOrId/transformations', { config: { auth: 'optional' } }, async (r) => service.elementDefaults(element(r)));
}

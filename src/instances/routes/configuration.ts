import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { jsonObject, parseId } from '../../platform/http/params.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Instance } from '../instance-repository.ts';
import type { InstanceService } from '../instance-service.ts';
import { configurationEntries, instanceJson } from '../views.ts';

/**
 * The configuration sub-resource and enable/disable, by id (`/instances/{id}/…`) and for the
 * token's instance (`/instances/configuration`, `/instances/enabled`, `PUT/PATCH /instances`).
 */
export function registerInstanceConfigurationRoutes(app: FastifyInstance, instances: InstanceService, registry: ElementRegistry): void {
  const byId = async (request: { params: unknown } & Parameters<typeof identityOf>[0]) =>
    instances.get(identityOf(request), parseId((request.params as { id: string }).id, 'Instance'));
  const byToken = async (request: Parameters<typeof identityOf>[0]) => instances.byToken(identityOf(request));
  const entries = (i: Instance) => configurationEntries(i, registry.find(i.elementKey)!);
  const entry = (i: Instance, configId: string) => {
    const e = entries(i).find((x) => String(x.id) === configId || x.key === configId);
    if (!e) throw notFound(`No configuration entry ${configId.slice(0, 100)} on instance ${i.id}`);
    return e;
  };

  /** PATCH takes the whole entry and changes only `propertyValue` (a string). */
  const patchEntry = async (i: Instance, configId: string, body: Record<string, unknown>) => {
    const e = entry(i, configId);
    if (typeof body.propertyValue !== 'string') throw badRequest('propertyValue must be a string');
    const updated = await instances.setConfigurationValue(i, e.key, body.propertyValue);
    return entry(updated, String(e.id));
  };

  const json = (i: Instance) => instanceJson(i, registry.find(i.elementKey)!);

  for (const [path, resolve] of [['/instances/:id', byId], ['/instances', byToken]] as const) {
    app.get(`${path}/configuration`, async (request) => entries(await resolve(request)));
    app.get(`${path}/configuration/:configId`, async (request) => entry(await resolve(request), (request.params as { configId: string }).configId));
    app.patch(`${path}/configuration/:configId`, async (request) =>
      patchEntry(await resolve(request), (request.params as { configId: string }).configId, jsonObject(request.body)));
    app.put(`${path}/enabled`, async (request) => json(await instances.setDisabled(await resolve(request), false)));
    app.delete(`${path}/enabled`, async (request) => json(await instances.setDisabled(await resolve(request), true)));
  }

  app.put('/instances', async (request) => json(await instances.updateByToken(identityOf(request), jsonObject(request.body), 'put')));
  app.patch('/instances', async (request) => json(await instances.updateByToken(identityOf(request), jsonObject(request.body), 'patch')));
}

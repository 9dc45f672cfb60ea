import type { FastifyInstance } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { jsonObject, parseId } from '../../platform/http/params.ts';
import { notFound } from '../../platform/errors.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { InstanceService } from '../instance-service.ts';
import { instanceJson } from '../views.ts';
import { listInstances } from './list-instances.ts';

/**
 * `/instances` and `/instances/{id}`, and their element-scoped aliases
 * `/elements/{keyOrId}/instances[/{id}]` with the same bodies and answers.
 */
export function registerInstanceRoutes(app: FastifyInstance, instances: InstanceService, registry: ElementRegistry): void {
  const json = (i: Awaited<ReturnType<InstanceService['get']>>) => instanceJson(i, registry.find(i.elementKey)!);
  const id = (params: unknown) => parseId((params as { id: string }).id, 'Instance');
  const element = (params: unknown) => (params as { keyOrId?: string }).keyOrId;

  for (const prefix of ['/instances', '/elements/:keyOrId/instances']) {
    app.post(prefix, async (request) => json(await instances.create(identityOf(request), jsonObject(request.body), element(request.params))));

    app.get(prefix, async (request, reply) => {
      const keyOrId = element(request.params);
      const scope = keyOrId === undefined ? undefined : registry.find(keyOrId);
      if (keyOrId !== undefined && !scope) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
      return listInstances(request, reply, instances, registry, scope?.key);
    });

    app.get(`${prefix}/:id`, async (request) => json(await instances.get(identityOf(request), id(request.params), element(request.params))));

    app.put(`${prefix}/:id`, async (request) =>
      json(await instances.update(identityOf(request), id(request.params), jsonObject(request.body), 'put', element(request.params))));

    app.patch(`${prefix}/:id`, async (request) =>
      json(await instances.update(identityOf(request), id(request.params), jsonObject(request.body), 'patch', element(request.params))));

    app.delete(`${prefix}/:id`, async (request) => {
      await instances.delete(identityOf(request), id(request.params), element(request.params));
      return {};
    });
  }
}

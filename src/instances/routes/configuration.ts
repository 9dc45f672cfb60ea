import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { errorResponses, NoQuery, NumericId } from '../../platform/http/schemas.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Instance } from '../instance-repository.ts';
import type { InstanceService } from '../instance-service.ts';
import { configurationEntries, instanceJson } from '../views.ts';
import { ConfigurationEntryBody, ConfigurationEntryJson, InstanceJson, UpdateInstanceBody } from '../schemas.ts';

/**
 * The configuration sub-resource and enable/disable, by id (`/instances/{id}/…`) and for the
 * token's instance (`/instances/configuration`, `/instances/enabled`, `PUT/PATCH /instances`).
 */
export function registerInstanceConfigurationRoutes(app: FastifyInstance, instances: InstanceService, registry: ElementRegistry): void {
  const api = typed(app);
  const entries = (i: Instance) => configurationEntries(i, registry.find(i.elementKey)!);
  const entry = (i: Instance, configId: string) => {
    const e = entries(i).find((x) => String(x.id) === configId || x.key === configId);
    if (!e) throw notFound(`No configuration entry ${configId.slice(0, 100)} on instance ${i.id}`);
    return e;
  };
  const json = (i: Instance) => instanceJson(i, registry.find(i.elementKey)!);
  const tags = ['instances'];
  const ConfigId = Type.String({ maxLength: 200, description: "The entry's id or key" });

  const targets = [
    {
      path: '/instances/:id',
      of: 'by id',
      params: Type.Object({ id: NumericId }),
      entryParams: Type.Object({ id: NumericId, configId: ConfigId }),
      resolve: (request: FastifyRequest) => instances.get(identityOf(request), Number((request.params as { id: string }).id)),
    },
    {
      path: '/instances',
      of: 'of the Element token',
      params: undefined,
      entryParams: Type.Object({ configId: ConfigId }),
      resolve: (request: FastifyRequest) => instances.byToken(identityOf(request)),
    },
  ] as const;
  for (const { path, of, params, entryParams, resolve } of targets) {
    const pathParams = params ? { params } : {};
    api.get(
      `${path}/configuration`,
      {
        schema: {
          summary: `The configuration of the instance ${of}`,
          tags,
          ...pathParams,
          querystring: NoQuery,
          response: { 200: Type.Array(ConfigurationEntryJson), ...errorResponses },
        },
      },
      async (request) => entries(await resolve(request)),
    );
    api.get(
      `${path}/configuration/:configId`,
      {
        schema: {
          summary: `One configuration entry of the instance ${of}`,
          tags,
          params: entryParams,
          querystring: NoQuery,
          response: { 200: ConfigurationEntryJson, ...errorResponses },
        },
      },
      async (request) => entry(await resolve(request), request.params.configId),
    );
    api.patch(
      `${path}/configuration/:configId`,
      {
        schema: {
          summary: `Change one configuration value of the instance ${of}`,
          tags,
          params: entryParams,
          querystring: NoQuery,
          body: ConfigurationEntryBody,
          response: { 200: ConfigurationEntryJson, ...errorResponses },
        },
      },
      async (request) => {
        const instance = await resolve(request);
        const e = entry(instance, request.params.configId);
        const updated = await instances.setConfigurationValue(instance, e.key, request.body.propertyValue);
        return entry(updated, String(e.id));
      },
    );
    api.put(
      `${path}/enabled`,
      { schema: { summary: `Enable the instance ${of}`, tags, ...pathParams, querystring: NoQuery, response: { 200: InstanceJson, ...errorResponses } } },
      async (request) => json(await instances.setDisabled(await resolve(request), false)),
    );
    api.delete(
      `${path}/enabled`,
      { schema: { summary: `Disable the instance ${of}`, tags, ...pathParams, querystring: NoQuery, response: { 200: InstanceJson, ...errorResponses } } },
      async (request) => json(await instances.setDisabled(await resolve(request), true)),
    );
  }

  api.put(
    '/instances',
    {
      schema: {
        summary: 'Replace the instance of the Element token',
        tags,
        querystring: NoQuery,
        body: UpdateInstanceBody,
        response: { 200: InstanceJson, ...errorResponses },
      },
    },
    async (request) => json(await instances.updateByToken(identityOf(request), request.body, 'put')),
  );
  api.patch(
    '/instances',
    {
      schema: {
        summary: 'Change the instance of the Element token',
        tags,
        querystring: NoQuery,
        body: UpdateInstanceBody,
        response: { 200: InstanceJson, ...errorResponses },
      },
    },
    async (request) => json(await instances.updateByToken(identityOf(request), request.body, 'patch')),
  );
}

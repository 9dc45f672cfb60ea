import type { FastifyInstance } from 'fastify';
import { isTrue } from '../../platform/boolean-text.ts';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { Instance } from '../instance-repository.ts';
import type { InstanceService } from '../instance-service.ts';
import { instanceJson } from '../views.ts';
import type { TraceRecorder } from '../../traces/trace-recorder.ts';
import { listInstances } from './list-instances.ts';
import { CreateInstanceBody, ElementInstanceParams, ElementParams, InstanceJson, InstanceParams, ListInstancesQuery, UpdateInstanceBody } from '../schemas.ts';

/**
 * `debug: true` in the configuration (or, as OAuth clients send it, in `providerData`) asks for a
 * trace of the vendor calls that check the new instance (open-connectors-api.md §2.2).
 */
function asksForDebug(body: CreateInstanceBody): boolean {
  const providerData = body.providerData;
  return (
    isTrue(body.configuration?.debug) || (typeof providerData === 'object' && providerData !== null && isTrue((providerData as { debug?: unknown }).debug))
  );
}

/**
 * `/instances` and `/instances/{id}`, and their element-scoped aliases
 * `/elements/{keyOrId}/instances[/{id}]` with the same bodies and answers.
 */
export function registerInstanceRoutes(
  app: FastifyInstance,
  instances: InstanceService,
  registry: ElementRegistry,
  traces: Pick<TraceRecorder, 'provisioning'>,
): void {
  const api = typed(app);
  const json = (i: Instance) => instanceJson(i, registry.find(i.elementKey)!);
  const tags = ['instances'];
  const one = { 200: InstanceJson, ...errorResponses };

  for (const [prefix, listParams, itemParams] of [
    ['/instances', undefined, InstanceParams],
    ['/elements/:keyOrId/instances', ElementParams, ElementInstanceParams],
  ] as const) {
    const element = (params: unknown) => (params as { keyOrId?: string }).keyOrId;
    const pathParams = listParams ? { params: listParams } : {};

    api.post(
      prefix,
      {
        schema: {
          summary: 'Create an instance: the credentials are checked against the vendor first',
          tags,
          ...pathParams,
          querystring: NoQuery,
          body: CreateInstanceBody,
          response: one,
        },
      },
      async (request, reply) => {
        const trace = asksForDebug(request.body) ? traces.provisioning(request.id) : undefined;
        try {
          return json(await instances.create(identityOf(request), request.body, element(request.params), trace));
        } finally {
          // On a refusal too: that is when the vendor's side of the exchange is wanted.
          if (trace?.saved) reply.header('Elements-Trace-Id', trace.id);
        }
      },
    );

    api.get(
      prefix,
      {
        schema: {
          summary: 'The instances the caller may see',
          tags,
          ...pathParams,
          querystring: ListInstancesQuery,
          response: { 200: Type.Array(InstanceJson), ...errorResponses },
        },
      },
      async (request, reply) => {
        const keyOrId = element(request.params);
        const scope = keyOrId === undefined ? undefined : registry.find(keyOrId);
        if (keyOrId !== undefined && !scope) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
        return listInstances(request.query, identityOf(request), reply, instances, registry, scope?.key);
      },
    );

    api.get(`${prefix}/:id`, { schema: { summary: 'One instance', tags, params: itemParams, querystring: NoQuery, response: one } }, async (request) =>
      json(await instances.get(identityOf(request), Number(request.params.id), element(request.params))),
    );

    api.put(
      `${prefix}/:id`,
      {
        schema: {
          summary: 'Replace an instance (secrets sent back masked are kept)',
          tags,
          params: itemParams,
          querystring: NoQuery,
          body: UpdateInstanceBody,
          response: one,
        },
      },
      async (request) => json(await instances.update(identityOf(request), Number(request.params.id), request.body, 'put', element(request.params))),
    );

    api.patch(
      `${prefix}/:id`,
      { schema: { summary: 'Change some members of an instance', tags, params: itemParams, querystring: NoQuery, body: UpdateInstanceBody, response: one } },
      async (request) => json(await instances.update(identityOf(request), Number(request.params.id), request.body, 'patch', element(request.params))),
    );

    api.delete(
      `${prefix}/:id`,
      { schema: { summary: 'Delete an instance', tags, params: itemParams, querystring: NoQuery, response: { 200: EmptyObject, ...errorResponses } } },
      async (request) => {
        await instances.delete(identityOf(request), Number(request.params.id), element(request.params));
        return {};
      },
    );
  }
}

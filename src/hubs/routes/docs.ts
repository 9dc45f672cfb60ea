import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { Type } from 'typebox';
import { typed } from '../../platform/http/api-document.ts';
import { type OpenApiDocument, platformDocuments } from '../../platform/http/swagger2-document.ts';
import { errorResponses, NoQuery, NumericId } from '../../platform/http/schemas.ts';
import type { Instance } from '../../instances/instance-repository.ts';
import type { HubDeps } from '../hub-router.ts';
import { buildHubDocs, modelFromFields, type DocumentedOperation } from '../instance-docs.ts';
import { hubContracts } from '../hub-contracts.ts';
import { commonFields, listCommonResources } from '../common-resources.ts';
import { hubContext } from '../hub-context.ts';

/**
 * `GET /instances/{id}/docs`, `GET /instances/docs` (token), `GET /elements/{keyOrId}/docs` and
 * `GET /docs/{hubOrResource}`: Swagger 2.0 of the hub. An instance's document has the models of
 * its own vendor, custom fields and their types included; the hub's has every operation of its
 * contract. `/docs/{resource}` and `/docs/all` give the platform's own routes (`swagger2-document.ts`).
 */
export function registerDocsRoutes(app: FastifyInstance, deps: HubDeps, apiPrefix: string): void {
  // A hub's resources are also served bare (`/incidents`): they are in its document, not the platform's.
  const hubPaths = new Set(['hubs', ...[...hubContracts.values()].flatMap((c) => [...c.operations.keys()].map((op) => op.split(' ')[1]!.split('/')[0]!))]);
  const platform = platformDocuments(() => app.swagger() as unknown as OpenApiDocument, apiPrefix, hubPaths);
  const instanceDocs = async (request: FastifyRequest, instance: Instance) => {
    const module = deps.registry.module(instance.elementKey)!;
    if (!module.hub) throw notFound(`${instance.elementKey} has no hub resources`);
    const context = hubContext(instance, { http: deps.vendorHttp(instance.elementKey), logger: deps.logger, timeoutMs: deps.vendorTimeoutMs }, deps.vendorData);
    const models: Record<string, Record<string, unknown>> = {};
    for (const [name, describe] of module.hub.objects) {
      // addToDocumentation: the instance's own shape replaces the vendor model.
      const t = await deps.transformations.resolve(instance, name);
      if (t?.body.configuration.some((c) => c.type === 'addToDocumentation')) {
        models[name] = modelFromFields(commonFields(t));
        continue;
      }
      const fields = await describe(context);
      if (fields?.length) models[name] = modelFromFields(fields);
    }
    // Common resources: their element resource's object operations, under their own name and shape.
    const operations = [...module.hub.operations];
    for (const common of await listCommonResources(deps, instance)) {
      models[common.name] = modelFromFields(commonFields(common.transformation));
      for (const op of module.hub.operations) {
        if (op.path === common.resource || op.path === `${common.resource}/:id`)
          operations.push({ ...op, path: `${common.name}${op.path.slice(common.resource.length)}` });
      }
    }
    return buildHubDocs(module.definition, operations, String(request.headers.host ?? 'localhost'), models, `${instance.name} (${module.definition.name})`);
  };

  const api = typed(app);
  const tags = ['hubs'];
  const swagger = { 200: Type.Unknown({ description: 'A Swagger 2.0 document of the hub resources' }), ...errorResponses };
  api.get(
    '/instances/:id/docs',
    {
      schema: {
        tags,
        summary: "Swagger 2.0 of an instance's hub resources, with its vendor's custom fields",
        params: Type.Object({ id: NumericId }),
        querystring: NoQuery,
        response: swagger,
      },
    },
    async (request) => instanceDocs(request, await deps.instances.get(identityOf(request), Number(request.params.id))),
  );
  api.get(
    '/instances/:id/docs/:operationId/definitions',
    {
      schema: {
        tags,
        summary: "The models one operation of an instance's Swagger document uses, by name",
        params: Type.Object({ id: NumericId, operationId: Type.String({ maxLength: 200, description: 'As in the document, e.g. getIncidentsById' }) }),
        querystring: NoQuery,
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errorResponses },
      },
    },
    async (request) => {
      const docs = await instanceDocs(request, await deps.instances.get(identityOf(request), Number(request.params.id)));
      const operation = Object.values(docs.paths)
        .flatMap((byMethod) => Object.values(byMethod))
        .find((op) => (op as { operationId?: unknown }).operationId === request.params.operationId);
      if (!operation) throw notFound(`No operation ${request.params.operationId.slice(0, 100)} in the instance's API document`);
      // The models its parameters and answers refer to; a model refers to no other.
      const names = new Set([...JSON.stringify(operation).matchAll(/"#\/definitions\/([^"]+)"/g)].map((m) => m[1]!));
      return Object.fromEntries([...names].filter((name) => name in docs.definitions).map((name) => [name, docs.definitions[name]]));
    },
  );
  api.get(
    '/instances/docs',
    { schema: { tags, summary: "Swagger 2.0 of the Element token's instance", querystring: NoQuery, response: swagger } },
    async (request) => instanceDocs(request, await deps.instances.byToken(identityOf(request))),
  );
  api.get(
    '/elements/:keyOrId/docs',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: "Swagger 2.0 of an element's hub resources",
        params: Type.Object({ keyOrId: Type.String({ maxLength: 200 }) }),
        querystring: NoQuery,
        response: swagger,
      },
    },
    async (request) => {
      const module = deps.registry.module(request.params.keyOrId);
      if (!module) throw notFound(`No element found with key or ID ${request.params.keyOrId.slice(0, 100)}`);
      if (!module.hub) throw notFound(`${module.definition.key} has no hub resources`);
      return buildHubDocs(module.definition, module.hub.operations, String(request.headers.host ?? 'localhost'), {}, module.definition.name);
    },
  );
  api.get(
    '/docs/:hubOrResource',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: "Swagger 2.0 of a hub's resources (every operation an element of the hub may serve), of one platform resource, or of the whole API (`all`)",
        params: Type.Object({
          hubOrResource: Type.String({
            maxLength: 100,
            description: 'A hub key, as `GET /hubs` lists them; a platform resource (`instances`, `usage`, …); or `all`',
          }),
        }),
        querystring: NoQuery,
        response: swagger,
      },
    },
    async (request) => {
      const name = request.params.hubOrResource;
      const host = String(request.headers.host ?? 'localhost');
      const hub = deps.registry.hubs().find((h) => h.key === name);
      const contract = hub && hubContracts.get(hub.key);
      if (hub && contract) {
        const operations = [...contract.operations].map(([operation, answer]) => {
          const [method, path] = operation.split(' ') as [DocumentedOperation['method'], string];
          return { method, path, list: answer === 'list', upload: answer === 'upload' };
        });
        return buildHubDocs({ hub: hub.key, description: hub.description }, operations, host, {}, hub.name);
      }
      const document = platform.document(name, host);
      if (document) return document;
      const known = [...deps.registry.hubs().map((h) => h.key), ...platform.resources(), 'all'];
      throw notFound(`No hub or platform resource ${name.slice(0, 100)}; there are documents of: ${known.join(', ')}`);
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../../auth/authenticate.ts';
import { notFound } from '../../platform/errors.ts';
import { parseId } from '../../platform/http/params.ts';
import type { Instance } from '../../instances/instance-repository.ts';
import type { HubDeps } from '../hub-router.ts';
import { buildHubDocs, modelFromFields } from '../instance-docs.ts';
import { hubContext } from '../hub-context.ts';

/**
 * `GET /instances/{id}/docs`, `GET /instances/docs` (token) and `GET /elements/{keyOrId}/docs`:
 * Swagger 2.0 of the hub. An instance's document has the models of its own Jira, custom fields
 * and their types included.
 */
export function registerDocsRoutes(app: FastifyInstance, deps: HubDeps): void {
  const instanceDocs = async (request: FastifyRequest, instance: Instance) => {
    const module = deps.registry.module(instance.elementKey)!;
    if (!module.hub) throw notFound(`${instance.elementKey} has no hub resources`);
    const context = hubContext(instance, { http: deps.http, logger: deps.logger, timeoutMs: deps.vendorTimeoutMs }, deps.vendorData);
    const models: Record<string, Record<string, unknown>> = {};
    for (const name of module.hub.objects) {
      // addToDocumentation: the instance's own shape replaces the vendor model.
      const t = (await deps.transformations.resolve(instance, name))?.body;
      if (t?.configuration.some((c) => c.type === 'addToDocumentation')) {
        models[name] = modelFromFields(t.fields.map((f) => ({
          vendorPath: f.path, vendorDisplayName: `${f.path} ← ${f.vendorPath}`, type: f.type, vendorNativeType: f.vendorType ?? f.type,
          vendorRequired: false, vendorReadOnly: false, filterable: false, hidden: false,
        })));
        continue;
      }
      const fields = await module.hub.objectMetadata(name, context);
      if (fields?.length) models[name] = modelFromFields(fields);
    }
    return buildHubDocs(module.definition, module.hub, String(request.headers.host ?? 'localhost'), models, `${instance.name} (${module.definition.name})`);
  };

  app.get('/instances/:id/docs', async (request) =>
    instanceDocs(request, await deps.instances.get(identityOf(request), parseId((request.params as { id: string }).id, 'Instance'))));
  app.get('/instances/docs', async (request) => instanceDocs(request, await deps.instances.byToken(identityOf(request))));
  app.get('/elements/:keyOrId/docs', { config: { auth: 'optional' } }, async (request) => {
    const module = deps.registry.module((request.params as { keyOrId: string }).keyOrId);
    if (!module) throw notFound(`No element found with key or ID ${(request.params as { keyOrId: string }).keyOrId.slice(0, 100)}`);
    if (!module.hub) throw notFound(`${module.definition.key} has no hub resources`);
    return buildHubDocs(module.definition, module.hub, String(request.headers.host ?? 'localhost'), {}, module.definition.name);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { InstanceService } from '../../instances/instance-service.ts';
import type { TenancyService } from '../../tenancy/tenancy-service.ts';
import type { Scope, TransformationService } from '../transformation-service.ts';
import {
  AccountElementNameParams,
  IdNameParams,
  DefinitionBody,
  DefinitionJson,
  ElementNameParams,
  ElementParams,
  InstanceParams,
  NameParams,
  ObjectName,
  TransformationBody,
  TransformationJson,
} from '../schemas.ts';

type Resolver = (request: FastifyRequest) => Promise<Scope>;
/** A path parameter the resolvers share across routes whose parameter schemas differ. */
const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name]!;

/**
 * Object definitions (common resources) at the three levels, and transformations per element at
 * the three levels, with the token-scoped instance forms (open-connectors-api.md §8).
 */
export function registerTransformationRoutes(app: FastifyInstance, service: TransformationService, instances: InstanceService, tenancy: TenancyService): void {
  const api = typed(app);
  const org: Resolver = async (r) => service.organization(identityOf(r));
  // An account of another organization, or none at all, is not found before any role is weighed.
  const account: Resolver = async (r) => {
    const id = Number(param(r, 'id'));
    await tenancy.requireOwnAccount(identityOf(r), id);
    return service.account(identityOf(r), id);
  };
  // `/accounts/objects/…` and `/accounts/elements/…` name the organization's default account (§8).
  const defaultAccount: Resolver = async (r) => service.account(identityOf(r), await tenancy.defaultAccountId(identityOf(r)));
  const byId: Resolver = async (r) => service.instance(await instances.get(identityOf(r), Number(param(r, 'id'))));
  const byToken: Resolver = async (r) => service.instance(await instances.byToken(identityOf(r)));
  const tags = ['transformations'];
  const deleted = { 200: EmptyObject, ...errorResponses };
  const definition = { 200: DefinitionJson, ...errorResponses };
  const transformation = { 200: TransformationJson, ...errorResponses };

  const definitionScopes: [string, Resolver, typeof NameParams | typeof IdNameParams, string][] = [
    ['/organizations', org, NameParams, 'organization'],
    ['/accounts/:id', account, IdNameParams, 'account'],
    ['/accounts', defaultAccount, NameParams, 'default account'],
    ['/instances/:id', byId, IdNameParams, 'instance'],
    ['/instances', byToken, NameParams, 'instance of the Element token'],
  ];
  for (const [prefix, scope, params, level] of definitionScopes) {
    const path = `${prefix}/objects/:name/definitions`;
    const base = { tags, params, querystring: NoQuery };
    api.post(path, { schema: { ...base, summary: `Define an object at ${level} level`, body: DefinitionBody, response: definition } }, async (r) =>
      service.putDefinition(await scope(r), r.params.name, r.body, 'create'),
    );
    api.put(path, { schema: { ...base, summary: `Replace an object definition at ${level} level`, body: DefinitionBody, response: definition } }, async (r) =>
      service.putDefinition(await scope(r), r.params.name, r.body, 'replace'),
    );
    api.get(path, { schema: { ...base, summary: `An object definition at ${level} level`, response: definition } }, async (r) =>
      service.getDefinition(await scope(r), r.params.name),
    );
    api.delete(path, { schema: { ...base, summary: `Delete an object definition at ${level} level`, response: deleted } }, async (r) => {
      await service.deleteDefinition(await scope(r), r.params.name);
      return {};
    });
  }
  // Mentioned once in the docs (D31): the same as PUT of the definition.
  api.patch(
    '/instances/objects/:name',
    {
      schema: {
        tags,
        summary: "Replace an object definition of the Element token's instance",
        params: NameParams,
        querystring: NoQuery,
        body: DefinitionBody,
        response: definition,
      },
    },
    async (r) => service.putDefinition(await byToken(r), r.params.name, r.body, 'replace'),
  );

  const byName = Type.Record(ObjectName, Type.Object({ fields: Type.Array(Type.Unknown()), level: Type.String() }));
  api.get(
    '/organizations/objects/definitions',
    {
      schema: {
        tags,
        summary: 'The organization-level object definitions, by name',
        querystring: Type.Object({ systemOnly: Type.Optional(Type.Boolean({ description: 'Only the system templates; switchboard has none' })) }),
        response: { 200: byName, ...errorResponses },
      },
    },
    async (r) => {
      const scope = await org(r);
      if (r.query.systemOnly) return {};
      const defs = await service.listDefinitions(identityOf(r).organizationId, scope);
      return Object.fromEntries(defs.map((d) => [d.objectName, { fields: d.fields, level: d.level }]));
    },
  );
  api.post(
    '/organizations/objects/definitions',
    {
      schema: {
        tags,
        summary: 'Define several objects at organization level at once, all or none',
        querystring: NoQuery,
        body: Type.Record(ObjectName, DefinitionBody, { minProperties: 1, maxProperties: 200, additionalProperties: false }),
        response: { 200: byName, ...errorResponses },
      },
    },
    async (r) => service.createDefinitions(await org(r), r.body),
  );
  api.delete(
    '/organizations/objects/definitions',
    {
      schema: {
        tags,
        summary: 'Delete every organization-level object definition, none while a transformation uses one',
        querystring: NoQuery,
        response: deleted,
      },
    },
    async (r) => {
      await service.deleteDefinitions(await org(r));
      return {};
    },
  );
  api.get(
    '/common-resources',
    {
      schema: {
        tags,
        summary: 'Every object definition of the organization, at every level',
        querystring: NoQuery,
        response: { 200: Type.Array(Type.Object({ name: Type.String(), level: Type.String(), fields: Type.Array(Type.Unknown()) })), ...errorResponses },
      },
    },
    async (r) => {
      const defs = await service.listDefinitions(identityOf(r).organizationId);
      return defs.map((d) => ({ name: d.objectName, level: d.level, fields: d.fields.map((f) => ({ ...f, associatedLevel: d.level })) }));
    },
  );

  const elementScopes: [string, Resolver, typeof ElementNameParams | typeof AccountElementNameParams, string][] = [
    ['/organizations/elements/:keyOrId/transformations/:name', org, ElementNameParams, 'organization'],
    ['/accounts/:id/elements/:keyOrId/transformations/:name', account, AccountElementNameParams, 'account'],
    ['/accounts/elements/:keyOrId/transformations/:name', defaultAccount, ElementNameParams, 'default account'],
  ];
  for (const [path, scope, params, level] of elementScopes) {
    const base = { tags, params, querystring: NoQuery };
    api.post(
      path,
      { schema: { ...base, summary: `Map an element's vendor object onto an object, at ${level} level`, body: TransformationBody, response: transformation } },
      async (r) => service.putTransformation(await scope(r), r.params.keyOrId, r.params.name, r.body, 'create'),
    );
    api.put(
      path,
      { schema: { ...base, summary: `Replace a transformation at ${level} level`, body: TransformationBody, response: transformation } },
      async (r) => service.putTransformation(await scope(r), r.params.keyOrId, r.params.name, r.body, 'replace'),
    );
    api.get(path, { schema: { ...base, summary: `A transformation at ${level} level`, response: transformation } }, async (r) =>
      service.getTransformation(await scope(r), r.params.keyOrId, r.params.name),
    );
    api.delete(path, { schema: { ...base, summary: `Delete a transformation at ${level} level`, response: deleted } }, async (r) => {
      await service.deleteTransformation(await scope(r), r.params.keyOrId, r.params.name);
      return {};
    });
  }

  const instanceOf = async (r: FastifyRequest, token: boolean) =>
    token ? instances.byToken(identityOf(r)) : instances.get(identityOf(r), Number(param(r, 'id')));
  for (const [prefix, token] of [
    ['/instances/:id', false],
    ['/instances', true],
  ] as const) {
    const itemParams = token ? NameParams : IdNameParams;
    const listParams = token ? {} : { params: InstanceParams };
    const of = token ? "the Element token's instance" : 'an instance';
    const base = { tags, params: itemParams, querystring: NoQuery };
    api.post(
      `${prefix}/transformations/:name`,
      { schema: { ...base, summary: `Map ${of}'s vendor object onto an object`, body: TransformationBody, response: transformation } },
      async (r) => {
        const i = await instanceOf(r, token);
        return service.putTransformation(service.instance(i), i.elementKey, r.params.name, r.body, 'create');
      },
    );
    api.put(
      `${prefix}/transformations/:name`,
      { schema: { ...base, summary: `Replace a transformation of ${of}`, body: TransformationBody, response: transformation } },
      async (r) => {
        const i = await instanceOf(r, token);
        return service.putTransformation(service.instance(i), i.elementKey, r.params.name, r.body, 'replace');
      },
    );
    api.get(`${prefix}/transformations/:name`, { schema: { ...base, summary: `A transformation of ${of}`, response: transformation } }, async (r) => {
      const i = await instanceOf(r, token);
      return service.getTransformation(service.instance(i), i.elementKey, r.params.name);
    });
    api.delete(`${prefix}/transformations/:name`, { schema: { ...base, summary: `Delete a transformation of ${of}`, response: deleted } }, async (r) => {
      const i = await instanceOf(r, token);
      await service.deleteTransformation(service.instance(i), i.elementKey, r.params.name);
      return {};
    });
    api.get(
      `${prefix}/transformations`,
      {
        schema: {
          tags,
          ...listParams,
          querystring: NoQuery,
          summary: `The transformations of ${of}, by object`,
          response: { 200: Type.Record(ObjectName, TransformationJson), ...errorResponses },
        },
      },
      async (r) => {
        const i = await instanceOf(r, token);
        return service.listTransformations(service.instance(i), i.elementKey);
      },
    );
    api.delete(
      `${prefix}/transformations`,
      { schema: { tags, ...listParams, querystring: NoQuery, summary: `Delete every transformation of ${of}`, response: deleted } },
      async (r) => {
        const i = await instanceOf(r, token);
        await service.deleteTransformation(service.instance(i), i.elementKey, undefined);
        return {};
      },
    );
  }

  // The element's default transformations (§4.3): the vendor object behind each resource.
  api.get(
    '/elements/:keyOrId/transformations',
    {
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: "The default transformation of each of an element's resources",
        params: ElementParams,
        querystring: NoQuery,
        response: { 200: Type.Record(Type.String(), Type.Object({ vendorName: Type.String(), fields: Type.Array(Type.Unknown()) })), ...errorResponses },
      },
    },
    async (r) => service.elementDefaults(r.params.keyOrId),
  );
}

import type { Insertable, Kysely } from 'kysely';
import type { Database, Level, ObjectDefinitionsTable } from '../store/tables.ts';
import { ApiError, badRequest, conflict, forbidden, notFound } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Invalidations } from '../platform/invalidations.ts';
import { canAdministerAccount, isOrgAdmin, type Identity } from '../auth/identity.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { Instance } from '../instances/instance-repository.ts';
import {
  applyRead,
  applyWrite,
  compileTransformation,
  mergeInherited,
  validateTransformation,
  type CompiledTransformation,
  type FieldMapping,
  type TransformationBody,
} from './mapping.ts';
import { ScriptSandbox } from './script-sandbox.ts';
import { isUniqueViolation } from '../store/unique-violation.ts';
import type { DefinitionBody, TransformationBody as TransformationInput } from './schemas.ts';

/** Where a definition or transformation lives: the organization, one account, or one instance. */
export interface Scope {
  level: Level;
  organizationId: number;
  accountId: number;
  instanceId: number;
}

export interface DefinitionField {
  path: string;
  type: string;
  [k: string]: unknown;
}

/** A definition's field path: names joined by dots. */
const DOTTED_PATH = /^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/;

const orgScope = (organizationId: number): Scope => ({ level: 'organization', organizationId, accountId: 0, instanceId: 0 });
const accountScope = (organizationId: number, accountId: number): Scope => ({ level: 'account', organizationId, accountId, instanceId: 0 });
const instanceScope = (i: Instance): Scope => ({ level: 'instance', organizationId: i.organizationId, accountId: 0, instanceId: i.id });

/** `"2014-12-12 18:03:32.012321"`, the form Open Connectors uses for `startDate`. */
const startDate = (d: Date) => `${d.toISOString().replace('T', ' ').replace('Z', '')}000`;

/**
 * Common resources (object definitions) and transformations at organization, account and
 * instance level (open-connectors-api.md §8). The most specific level wins; `inherit` merges in
 * the fields of the levels above.
 */
export class TransformationService {
  /** Resolved transformations per instance and object, briefly: every hub call asks (ADR 0005). */
  readonly #resolved = new Map<string, { until: number; value: CompiledTransformation | undefined }>();
  readonly #sandbox = new ScriptSandbox();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly registry: ElementRegistry,
    private readonly clock: Clock,
    private readonly invalidations: Invalidations,
    private readonly cacheTtlMs = 2000,
  ) {
    invalidations.on((change) => {
      if (change === 'everything' || change.kind === 'transformations' || change.kind === 'instance') this.#resolved.clear();
    });
  }

  // ---- access -------------------------------------------------------------------------

  organization(identity: Identity): Scope {
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins manage organization-level definitions and transformations');
    return orgScope(identity.organizationId);
  }

  account(identity: Identity, accountId: number): Scope {
    if (!canAdministerAccount(identity, accountId)) throw forbidden('Your role does not allow managing this account');
    return accountScope(identity.organizationId, accountId);
  }

  instance(instance: Instance): Scope {
    return instanceScope(instance);
  }

  // ---- definitions --------------------------------------------------------------------

  #definitions(scope: Scope, db: Kysely<Database> = this.db) {
    return db
      .selectFrom('object_definitions')
      .selectAll()
      .where('organization_id', '=', scope.organizationId)
      .where('level', '=', scope.level)
      .where('account_id', '=', scope.accountId)
      .where('instance_id', '=', scope.instanceId);
  }

  #transformations(scope: Scope) {
    return this.db
      .selectFrom('transformations')
      .selectAll()
      .where('organization_id', '=', scope.organizationId)
      .where('level', '=', scope.level)
      .where('account_id', '=', scope.accountId)
      .where('instance_id', '=', scope.instanceId);
  }

  async getDefinition(scope: Scope, name: string) {
    const row = await this.#definitions(scope).where('object_name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`No ${scope.level}-level definition of object ${name}`);
    return this.#definitionJson(row.object_name, JSON.parse(row.fields) as DefinitionField[], scope.level as Level);
  }

  #definitionJson(name: string, fields: DefinitionField[], level: Level) {
    return { objectName: name, level, fields: fields.map((f) => ({ ...f, level })) };
  }

  /** The fields as stored: each path once, in the dotted form (the schema checked the rest), without a `level`. */
  #validFields(body: DefinitionBody): DefinitionField[] {
    const seen = new Set<string>();
    return body.fields.map((given, i) => {
      // A field's level is where its definition is stored, never what the body says.
      const field: DefinitionField = { ...given };
      delete field.level;
      if (!DOTTED_PATH.test(field.path)) throw badRequest(`fields[${i}].path must be a dotted path`);
      if (seen.has(field.path)) throw badRequest(`fields[${i}]: path ${field.path} appears twice`);
      seen.add(field.path);
      return field;
    });
  }

  async putDefinition(scope: Scope, name: string, body: DefinitionBody, mode: 'create' | 'replace') {
    const fields = this.#validFields(body);
    const now = this.clock.now().toISOString();
    const existing = await this.#definitions(scope).where('object_name', '=', name).executeTakeFirst();
    if (existing && mode === 'create') throw conflict(`Object ${name} is already defined at ${scope.level} level; use PUT to replace it`);
    if (!existing && mode === 'replace') throw notFound(`No ${scope.level}-level definition of object ${name}`);
    if (existing) {
      await this.db
        .updateTable('object_definitions')
        .set({ fields: JSON.stringify(fields), updated_at: now })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await this.db
        .insertInto('object_definitions')
        .values(this.#definitionRow(scope, name, fields, now))
        .execute();
    }
    return this.#definitionJson(name, fields, scope.level);
  }

  #definitionRow(scope: Scope, name: string, fields: DefinitionField[], now: string): Insertable<ObjectDefinitionsTable> {
    return {
      organization_id: scope.organizationId,
      level: scope.level,
      account_id: scope.accountId,
      instance_id: scope.instanceId,
      object_name: name,
      fields: JSON.stringify(fields),
      created_at: now,
      updated_at: now,
    };
  }

  /** 409 while a transformation at this level or below still maps onto the definition. */
  async deleteDefinition(scope: Scope, name: string): Promise<void> {
    await this.getDefinition(scope, name);
    await this.#deleteDefinitions(this.db, scope, [name]);
  }

  /**
   * Several definitions at once (`POST /organizations/objects/definitions`), all or none: every
   * body is checked first, and a name already defined at the level refuses the whole request.
   */
  async createDefinitions(scope: Scope, byName: Readonly<Record<string, DefinitionBody>>) {
    const names = Object.keys(byName);
    const definitions = names.map((name) => {
      try {
        return { name, fields: this.#validFields(byName[name]!) };
      } catch (err) {
        throw err instanceof ApiError ? badRequest(`${name}: ${err.message}`) : err;
      }
    });
    const now = this.clock.now().toISOString();
    try {
      await this.db.transaction().execute(async (trx) => {
        const taken = await this.#definitions(scope, trx).where('object_name', 'in', names).executeTakeFirst();
        if (taken) throw conflict(`Object ${taken.object_name} is already defined at ${scope.level} level; nothing was created`);
        await trx
          .insertInto('object_definitions')
          .values(definitions.map(({ name, fields }) => this.#definitionRow(scope, name, fields, now)))
          .execute();
      });
    } catch (err) {
      // Another request defined one of the names between the check and the insert.
      if (isUniqueViolation(err)) throw conflict(`One of the objects was defined at ${scope.level} level meanwhile; nothing was created`);
      throw err;
    }
    return Object.fromEntries(definitions.map(({ name, fields }) => [name, { fields: fields.map((f) => ({ ...f, level: scope.level })), level: scope.level }]));
  }

  /** Every definition of the level (`DELETE /organizations/objects/definitions`); 409, and none deleted, while a transformation uses one. */
  async deleteDefinitions(scope: Scope): Promise<void> {
    await this.db.transaction().execute((trx) => this.#deleteDefinitions(trx, scope, undefined));
  }

  /** Deletes the scope's definitions of `names` (all of them when undefined), none while a transformation at this level or below uses one. */
  async #deleteDefinitions(db: Kysely<Database>, scope: Scope, names: readonly string[] | undefined): Promise<void> {
    const defined = () =>
      this.#definitions(scope, db)
        .clearSelect()
        .$if(names !== undefined, (q) => q.where('object_name', 'in', [...names!]));
    let users = db
      .selectFrom('transformations')
      .select(['object_name', 'level'])
      .where('organization_id', '=', scope.organizationId)
      .where('object_name', 'in', defined().select('object_name'));
    if (scope.level === 'account') users = users.where('account_id', '=', scope.accountId);
    if (scope.level === 'instance') users = users.where('instance_id', '=', scope.instanceId);
    const used = await users.executeTakeFirst();
    if (used) throw conflict(`Object ${used.object_name} is still used by a ${used.level}-level transformation; delete the transformation first`);
    await db.deleteFrom('object_definitions').where('id', 'in', defined().select('id')).execute();
  }

  async listDefinitions(organizationId: number, scope?: Scope) {
    let q = this.db.selectFrom('object_definitions').selectAll().where('organization_id', '=', organizationId);
    if (scope) q = q.where('level', '=', scope.level).where('account_id', '=', scope.accountId).where('instance_id', '=', scope.instanceId);
    return (await q.orderBy('object_name').execute()).map((r) =>
      this.#definitionJson(r.object_name, JSON.parse(r.fields) as DefinitionField[], r.level as Level),
    );
  }

  /** The definition an instance (or account) sees: its own level, else the account's, else the organization's. */
  async visibleDefinition(organizationId: number, accountId: number, instanceId: number, name: string): Promise<DefinitionField[] | undefined> {
    for (const scope of [
      ...(instanceId ? [{ level: 'instance' as const, organizationId, accountId: 0, instanceId }] : []),
      ...(accountId ? [accountScope(organizationId, accountId)] : []),
      orgScope(organizationId),
    ]) {
      const row = await this.#definitions(scope).where('object_name', '=', name).executeTakeFirst();
      if (row) return JSON.parse(row.fields) as DefinitionField[];
    }
    return undefined;
  }

  // ---- transformations ----------------------------------------------------------------

  #element(keyOrId: string) {
    const e = this.registry.find(keyOrId);
    if (!e) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
    return e;
  }

  #transformationJson(name: string, body: TransformationBody & { startDate?: string }, level: Level) {
    return {
      objectName: name,
      vendorName: body.vendorName,
      level,
      fields: body.fields.map((f) => ({ ...f, level: (f.level as Level | undefined) ?? level })),
      configuration: body.configuration,
      startDate: body.startDate,
      isLegacy: body.isLegacy,
      ...(body.script && { script: body.script }),
    };
  }

  async getTransformation(scope: Scope, elementKeyOrId: string, name: string) {
    const element = this.#element(elementKeyOrId);
    const row = await this.#transformations(scope).where('element_key', '=', element.key).where('object_name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`No ${scope.level}-level transformation of ${name} for ${element.key}`);
    return this.#transformationJson(name, JSON.parse(row.body), scope.level);
  }

  async putTransformation(scope: Scope, elementKeyOrId: string, name: string, input: TransformationInput, mode: 'create' | 'replace') {
    const element = this.#element(elementKeyOrId);
    const definition = await this.visibleDefinition(scope.organizationId, scope.accountId, scope.instanceId, name);
    if (!definition) throw badRequest(`No object definition ${name} is visible at ${scope.level} level; POST one to …/objects/${name}/definitions first`);
    const resource = element.resources.find((r) => r.name === name || r.vendorName === input.vendorName || r.name === input.vendorName);
    const body = validateTransformation(input, new Map(definition.map((f) => [f.path, f.type])), name);
    if (!resource) throw badRequest(`vendorName "${body.vendorName}" is not an object of ${element.key}`);
    const existing = await this.#transformations(scope).where('element_key', '=', element.key).where('object_name', '=', name).executeTakeFirst();
    // Script engine v1 is the legacy engine: v1 → v2 is allowed, never the other way (§8.2).
    const before = existing ? (JSON.parse(existing.body) as TransformationBody & { startDate?: string }) : undefined;
    if (body.isLegacy && before && !before.isLegacy) throw badRequest('A transformation cannot go back from script engine v2 to v1 (isLegacy: true)');
    if (existing && mode === 'create') throw conflict(`A ${scope.level}-level transformation of ${name} for ${element.key} exists; use PUT to replace it`);
    if (!existing && mode === 'replace') throw notFound(`No ${scope.level}-level transformation of ${name} for ${element.key}`);
    const now = this.clock.now();
    const stored = { ...body, startDate: before ? before.startDate : startDate(now) };
    if (existing) {
      await this.db
        .updateTable('transformations')
        .set({ body: JSON.stringify(stored), updated_at: now.toISOString() })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await this.db
        .insertInto('transformations')
        .values({
          organization_id: scope.organizationId,
          level: scope.level,
          account_id: scope.accountId,
          instance_id: scope.instanceId,
          element_key: element.key,
          object_name: name,
          body: JSON.stringify(stored),
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute();
    }
    await this.invalidations.announce({ kind: 'transformations' });
    return this.#transformationJson(name, stored, scope.level);
  }

  async deleteTransformation(scope: Scope, elementKeyOrId: string, name: string | undefined): Promise<void> {
    const element = this.#element(elementKeyOrId);
    let q = this.db
      .deleteFrom('transformations')
      .where('organization_id', '=', scope.organizationId)
      .where('level', '=', scope.level)
      .where('account_id', '=', scope.accountId)
      .where('instance_id', '=', scope.instanceId)
      .where('element_key', '=', element.key);
    if (name !== undefined) {
      await this.getTransformation(scope, element.key, name);
      q = q.where('object_name', '=', name);
    }
    await q.execute();
    await this.invalidations.announce({ kind: 'transformations' });
  }

  async listTransformations(scope: Scope, elementKey: string) {
    const rows = await this.#transformations(scope).where('element_key', '=', elementKey).execute();
    return Object.fromEntries(rows.map((r) => [r.object_name, this.#transformationJson(r.object_name, JSON.parse(r.body), scope.level)]));
  }

  /**
   * The transformation an instance uses for `objectName`: the most specific level wins, and a
   * level with `inherit` takes the fields of the levels above that it does not define itself.
   */
  async resolve(instance: Instance, objectName: string): Promise<CompiledTransformation | undefined> {
    const hit = this.resolvedBefore(instance, objectName);
    if (hit) return hit.value;
    const key = `${instance.id}:${objectName}`;
    const body = await this.#resolve(instance, objectName);
    const value = body && compileTransformation(body);
    if (this.cacheTtlMs > 0) {
      if (this.#resolved.size > 10_000) this.#resolved.clear();
      this.#resolved.set(key, { until: Date.now() + this.cacheTtlMs, value });
    }
    return value;
  }

  /**
   * What `resolve` found for the instance and object name, while it is still fresh: for the hub's
   * hot path, which then needs no promise.
   */
  resolvedBefore(instance: Instance, objectName: string): { value: CompiledTransformation | undefined } | undefined {
    const hit = this.#resolved.get(`${instance.id}:${objectName}`);
    return hit && hit.until > Date.now() ? hit : undefined;
  }

  /** The object names with a transformation the instance sees for its element, at any level. */
  async mappedObjectNames(instance: Instance): Promise<string[]> {
    const rows = await this.#visibleTo(instance).select('object_name').distinct().orderBy('object_name').execute();
    return rows.map((r) => r.object_name);
  }

  /** The transformations an instance sees for its element: its organization's, its account's and its own. */
  #visibleTo(instance: Instance) {
    return this.db
      .selectFrom('transformations')
      .where('organization_id', '=', instance.organizationId)
      .where('element_key', '=', instance.elementKey)
      .where((eb) =>
        eb.or([
          eb('level', '=', 'organization'),
          eb.and([eb('level', '=', 'account'), eb('account_id', '=', instance.accountId)]),
          eb.and([eb('level', '=', 'instance'), eb('instance_id', '=', instance.id)]),
        ]),
      );
  }

  async #resolve(instance: Instance, objectName: string): Promise<TransformationBody | undefined> {
    const rows = await this.#visibleTo(instance).select(['level', 'account_id', 'instance_id', 'body']).where('object_name', '=', objectName).execute();
    const at = (level: Level) => {
      const row = rows.find((r) => r.level === level);
      if (!row) return undefined;
      const body = JSON.parse(row.body) as TransformationBody;
      return { ...body, fields: body.fields.map((f: FieldMapping) => ({ ...f, level })) };
    };
    const org = at('organization');
    const account = at('account');
    const own = at('instance');
    const accountMerged = account ? mergeInherited(account, org) : org;
    return own ? mergeInherited(own, accountMerged) : accountMerged;
  }

  /** `GET /elements/{keyOrId}/transformations`: each resource's vendor object, identity-mapped by id. */
  elementDefaults(keyOrId: string) {
    const element = this.#element(keyOrId);
    return Object.fromEntries(
      element.resources
        .filter((r) => r.vendorName)
        .map((r) => [r.name, { vendorName: r.vendorName!, fields: [{ path: 'id', vendorPath: 'id', type: 'string' }] }]),
    );
  }

  /** Vendor objects → the common shape, script included. */
  async read(name: string, t: CompiledTransformation, vendorObjects: unknown[]): Promise<unknown[]> {
    const out: unknown[] = [];
    const script = t.body.script;
    for (const v of vendorObjects) {
      const mapped = applyRead(v, t);
      out.push(script ? await this.#sandbox.run(name, script.body, mapped, v) : mapped);
    }
    return out;
  }

  write(t: CompiledTransformation, body: unknown): unknown {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BAD_REQUEST', 'The request body must be a JSON object');
    return applyWrite(body, t);
  }
}

import type { Kysely } from 'kysely';
import type { Database, InstanceRow } from '../store/tables.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Configuration, VendorMeta } from '../elements/element-module.ts';
import { AAD, SEALED } from '../store/encrypted-columns.ts';

/** An instance as the service sees it: token and configuration decrypted. */
export interface Instance {
  id: number;
  organizationId: number;
  accountId: number;
  userId: number;
  elementKey: string;
  name: string;
  tags: string[];
  token: string;
  configuration: Configuration;
  vendorMeta: VendorMeta;
  valid: boolean;
  disabled: boolean;
  eventsEnabled: boolean;
  traceLoggingEnabled: boolean;
  cachingEnabled: boolean;
  maxCacheSize: number;
  cacheTimeToLive: number;
  externalAuthentication: string;
  createdAt: string;
  updatedAt: string;
  owner: { id: number; email: string; firstName: string; lastName: string };
}

export type NewInstance = Pick<Instance, 'organizationId' | 'accountId' | 'userId' | 'elementKey' | 'name' | 'tags' | 'token' |
  'configuration' | 'vendorMeta' | 'eventsEnabled' | 'externalAuthentication'> & { providerData: unknown };

export type InstanceChanges = Partial<Pick<Instance, 'name' | 'tags' | 'configuration' | 'vendorMeta' | 'valid' | 'disabled' | 'eventsEnabled' |
  'traceLoggingEnabled' | 'cachingEnabled' | 'maxCacheSize' | 'cacheTimeToLive' | 'elementKey'>> & { providerData?: unknown };

type Row = InstanceRow & { owner_email: string; owner_first_name: string; owner_last_name: string };

/**
 * SQL for instances. Encryption happens here and only here: the token is stored as keyed hash +
 * ciphertext, the configuration (vendor passwords included) as one ciphertext bound to the row.
 */
export class InstanceRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;

  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  #select() {
    return this.#db.selectFrom('instances')
      .innerJoin('users', 'users.id', 'instances.user_id')
      .selectAll('instances')
      .select(['users.email as owner_email', 'users.first_name as owner_first_name', 'users.last_name as owner_last_name']);
  }

  #toInstance(row: Row): Instance {
    return {
      id: row.id,
      organizationId: row.organization_id,
      accountId: row.account_id,
      userId: row.user_id,
      elementKey: row.element_key,
      name: row.name,
      tags: JSON.parse(row.tags) as string[],
      token: this.#box.open(SEALED.instanceToken, { hash: row.token_hash, enc: row.token_enc }),
      configuration: JSON.parse(this.#box.cipher.decrypt(row.configuration_enc, AAD.instanceConfiguration(row.id))) as Configuration,
      vendorMeta: JSON.parse(row.vendor_meta) as VendorMeta,
      valid: row.valid === 1,
      disabled: row.disabled === 1,
      eventsEnabled: row.events_enabled === 1,
      traceLoggingEnabled: row.trace_logging_enabled === 1,
      cachingEnabled: row.caching_enabled === 1,
      maxCacheSize: row.max_cache_size,
      cacheTimeToLive: row.cache_time_to_live,
      externalAuthentication: row.external_authentication,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      owner: { id: row.user_id, email: row.owner_email, firstName: row.owner_first_name, lastName: row.owner_last_name },
    };
  }

  async insert(input: NewInstance, now: string): Promise<Instance> {
    const token = this.#box.seal(SEALED.instanceToken, input.token);
    const id = await this.#db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('instances').values({
        organization_id: input.organizationId, account_id: input.accountId, user_id: input.userId,
        element_key: input.elementKey, name: input.name, tags: JSON.stringify(input.tags),
        token_hash: token.hash, token_enc: token.enc,
        // Bound to the row id below, which exists only after the insert.
        configuration_enc: '', provider_data_enc: null,
        vendor_meta: JSON.stringify(input.vendorMeta), valid: 1, disabled: 0, events_enabled: input.eventsEnabled ? 1 : 0,
        trace_logging_enabled: 0, caching_enabled: 0, max_cache_size: 0, cache_time_to_live: 0,
        external_authentication: input.externalAuthentication, created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      await trx.updateTable('instances').set({
        configuration_enc: this.#box.cipher.encrypt(JSON.stringify(input.configuration), AAD.instanceConfiguration(row.id)),
        provider_data_enc: input.providerData === undefined ? null : this.#box.cipher.encrypt(JSON.stringify(input.providerData), AAD.instanceProviderData(row.id)),
      }).where('id', '=', row.id).execute();
      return row.id;
    });
    return (await this.find(id))!;
  }

  async find(id: number): Promise<Instance | undefined> {
    const row = await this.#select().where('instances.id', '=', id).executeTakeFirst();
    return row ? this.#toInstance(row) : undefined;
  }

  async findByToken(token: string): Promise<Instance | undefined> {
    const row = await this.#select().where('instances.token_hash', '=', this.#box.lookupHash(SEALED.instanceToken, token)).executeTakeFirst();
    return row ? this.#toInstance(row) : undefined;
  }

  /** Instances of an organization, optionally of one account, in creation order. */
  async list(organizationId: number, accountId?: number): Promise<Instance[]> {
    let q = this.#select().where('instances.organization_id', '=', organizationId);
    if (accountId !== undefined) q = q.where('instances.account_id', '=', accountId);
    return (await q.orderBy('instances.id').execute()).map((r) => this.#toInstance(r));
  }

  async countByElement(organizationId: number, elementKey: string): Promise<{ instances: number; accounts: number }> {
    const rows = await this.#db.selectFrom('instances').select(['account_id'])
      .where('organization_id', '=', organizationId).where('element_key', '=', elementKey).execute();
    return { instances: rows.length, accounts: new Set(rows.map((r) => r.account_id)).size };
  }

  async update(id: number, changes: InstanceChanges, now: string): Promise<Instance | undefined> {
    await this.#db.updateTable('instances').set({
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.tags !== undefined && { tags: JSON.stringify(changes.tags) }),
      ...(changes.elementKey !== undefined && { element_key: changes.elementKey }),
      ...(changes.configuration !== undefined && { configuration_enc: this.#box.cipher.encrypt(JSON.stringify(changes.configuration), AAD.instanceConfiguration(id)) }),
      ...(changes.providerData !== undefined && { provider_data_enc: this.#box.cipher.encrypt(JSON.stringify(changes.providerData), AAD.instanceProviderData(id)) }),
      ...(changes.vendorMeta !== undefined && { vendor_meta: JSON.stringify(changes.vendorMeta) }),
      ...(changes.valid !== undefined && { valid: changes.valid ? 1 : 0 }),
      ...(changes.disabled !== undefined && { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.eventsEnabled !== undefined && { events_enabled: changes.eventsEnabled ? 1 : 0 }),
      ...(changes.traceLoggingEnabled !== undefined && { trace_logging_enabled: changes.traceLoggingEnabled ? 1 : 0 }),
      ...(changes.cachingEnabled !== undefined && { caching_enabled: changes.cachingEnabled ? 1 : 0 }),
      ...(changes.maxCacheSize !== undefined && { max_cache_size: changes.maxCacheSize }),
      ...(changes.cacheTimeToLive !== undefined && { cache_time_to_live: changes.cacheTimeToLive }),
      updated_at: now,
    }).where('id', '=', id).execute();
    return this.find(id);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('instances').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Expr } from '../ceql/ast.ts';
import { ceqlToSql, type SqlField } from '../store/ceql-sql.ts';
import type { Database, InstanceRow } from '../store/tables.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Configuration, VendorMeta } from '../elements/element-module.ts';
import { AAD, SEALED } from '../store/encrypted-columns.ts';
import type { AccountOrUser } from '../tenancy/tenancy-service.ts';

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

export type NewInstance = Pick<
  Instance,
  | 'organizationId'
  | 'accountId'
  | 'userId'
  | 'elementKey'
  | 'name'
  | 'tags'
  | 'token'
  | 'configuration'
  | 'vendorMeta'
  | 'eventsEnabled'
  | 'externalAuthentication'
> &
  Partial<Pick<Instance, 'traceLoggingEnabled' | 'cachingEnabled' | 'maxCacheSize' | 'cacheTimeToLive'>> & { providerData: unknown };

export type InstanceChanges = Partial<
  Pick<
    Instance,
    | 'name'
    | 'tags'
    | 'configuration'
    | 'vendorMeta'
    | 'valid'
    | 'disabled'
    | 'eventsEnabled'
    | 'traceLoggingEnabled'
    | 'cachingEnabled'
    | 'maxCacheSize'
    | 'cacheTimeToLive'
    | 'elementKey'
  >
> & { providerData?: unknown };

export interface InstanceFilter {
  elementKey?: string | undefined;
  /** Any of these tags. */
  tags?: string[] | undefined;
  where?: Expr | undefined;
  /** Part of the name or of a tag, any case. */
  searchText?: string | undefined;
  /** The list's order; the id breaks ties, so every page is stable. */
  order?: InstanceOrder | undefined;
}

/** The orders a list of instances may take, by the names the API shows. */
// Names sort without regard to case, the same on SQLite and on PostgreSQL whatever its collation.
export const INSTANCE_ORDER_FIELDS = {
  id: sql`instances.id`,
  name: sql`lower(instances.name)`,
  'element.key': sql`instances.element_key`,
  createdDate: sql`instances.created_at`,
  updatedDate: sql`instances.updated_at`,
} as const;
export interface InstanceOrder {
  field: keyof typeof INSTANCE_ORDER_FIELDS;
  direction: 'asc' | 'desc';
}

/** `%`, `_` and the escape itself match literally in a LIKE pattern. */
const likeContaining = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The fields `where` may use on instances (D10), as columns. */
const INSTANCE_FIELDS: Readonly<Record<string, SqlField>> = {
  id: { kind: 'integer', column: 'instances.id' },
  name: { kind: 'text', column: 'instances.name' },
  'element.key': { kind: 'text', column: 'instances.element_key' },
  disabled: { kind: 'boolean', column: 'instances.disabled' },
  valid: { kind: 'boolean', column: 'instances.valid' },
  tags: { kind: 'set', table: 'instance_tags', valueColumn: 'tag', ownerColumn: 'instance_id', ownerKey: 'instances.id' },
};

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

  #select(db: Kysely<Database> = this.#db) {
    return db
      .selectFrom('instances')
      .innerJoin('users', 'users.id', 'instances.user_id')
      .selectAll('instances')
      .select(['users.email as owner_email', 'users.first_name as owner_first_name', 'users.last_name as owner_last_name']);
  }

  /** The tag rows beside `instances.tags` (one per distinct tag), replaced whole. */
  async #writeTags(db: Kysely<Database>, instanceId: number, tags: string[]): Promise<void> {
    await db.deleteFrom('instance_tags').where('instance_id', '=', instanceId).execute();
    const distinct = [...new Set(tags)];
    if (distinct.length)
      await db
        .insertInto('instance_tags')
        .values(distinct.map((tag) => ({ instance_id: instanceId, tag })))
        .execute();
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
      const row = await trx
        .insertInto('instances')
        .values({
          organization_id: input.organizationId,
          account_id: input.accountId,
          user_id: input.userId,
          element_key: input.elementKey,
          name: input.name,
          tags: JSON.stringify(input.tags),
          token_hash: token.hash,
          token_enc: token.enc,
          // Bound to the row id below, which exists only after the insert.
          configuration_enc: '',
          provider_data_enc: null,
          vendor_meta: JSON.stringify(input.vendorMeta),
          valid: 1,
          disabled: 0,
          events_enabled: input.eventsEnabled ? 1 : 0,
          trace_logging_enabled: input.traceLoggingEnabled ? 1 : 0,
          caching_enabled: input.cachingEnabled ? 1 : 0,
          max_cache_size: input.maxCacheSize ?? 0,
          cache_time_to_live: input.cacheTimeToLive ?? 0,
          external_authentication: input.externalAuthentication,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('instances')
        .set({
          configuration_enc: this.#box.cipher.encrypt(JSON.stringify(input.configuration), AAD.instanceConfiguration(row.id)),
          provider_data_enc:
            input.providerData === undefined ? null : this.#box.cipher.encrypt(JSON.stringify(input.providerData), AAD.instanceProviderData(row.id)),
        })
        .where('id', '=', row.id)
        .execute();
      await this.#writeTags(trx as unknown as Kysely<Database>, row.id, input.tags);
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

  /**
   * One page of an organization's instances (optionally of one account) in creation order,
   * filtered by any of `tags` and by a CEQL `where`, with the total. Filtering, counting and paging
   * are SQL; only the rows of the page are read whole and decrypted.
   */
  async page(
    scope: { organizationId: number; accountId?: number | undefined },
    filter: InstanceFilter,
    paging?: { startAt: number; pageSize: number },
  ): Promise<{ items: Instance[]; total: number }> {
    let matching = this.#db.selectFrom('instances').where('instances.organization_id', '=', scope.organizationId);
    if (scope.accountId !== undefined) matching = matching.where('instances.account_id', '=', scope.accountId);
    if (filter.elementKey !== undefined) matching = matching.where('instances.element_key', '=', filter.elementKey);
    if (filter.tags?.length) {
      matching = matching.where((eb) =>
        eb.exists(
          eb
            .selectFrom('instance_tags')
            .select('instance_tags.tag')
            .whereRef('instance_tags.instance_id', '=', 'instances.id')
            .where('instance_tags.tag', 'in', filter.tags!),
        ),
      );
    }
    if (filter.where) matching = matching.where(ceqlToSql(filter.where, INSTANCE_FIELDS) as RawBuilder<SqlBool>);
    if (filter.searchText) {
      const pattern = likeContaining(filter.searchText);
      matching = matching.where((eb) =>
        eb.or([
          sql<SqlBool>`lower(instances.name) like ${pattern} escape '\\'`,
          eb.exists(
            eb
              .selectFrom('instance_tags')
              .select('instance_tags.tag')
              .whereRef('instance_tags.instance_id', '=', 'instances.id')
              .where(sql<SqlBool>`lower(instance_tags.tag) like ${pattern} escape '\\'`),
          ),
        ]),
      );
    }
    const { total } = await matching.select((eb) => eb.fn.countAll<number | string | bigint>().as('total')).executeTakeFirstOrThrow();
    const order = filter.order ?? { field: 'id', direction: 'asc' };
    let rows = this.#select()
      .where('instances.id', 'in', matching.select('instances.id'))
      .orderBy(INSTANCE_ORDER_FIELDS[order.field], order.direction)
      .orderBy('instances.id', order.direction);
    if (paging) rows = rows.limit(paging.pageSize).offset(paging.startAt);
    return { items: (await rows.execute()).map((r) => this.#toInstance(r)), total: Number(total) };
  }

  async countByElement(organizationId: number, elementKey: string): Promise<{ instances: number; accounts: number }> {
    const rows = await this.#db
      .selectFrom('instances')
      .select(['account_id'])
      .where('organization_id', '=', organizationId)
      .where('element_key', '=', elementKey)
      .execute();
    return { instances: rows.length, accounts: new Set(rows.map((r) => r.account_id)).size };
  }

  async update(id: number, changes: InstanceChanges, now: string): Promise<Instance | undefined> {
    await this.#db.transaction().execute(async (t) => {
      const trx = t as unknown as Kysely<Database>;
      if (changes.tags !== undefined) await this.#writeTags(trx, id, changes.tags);
      await this.#write(trx, id, changes, now);
    });
    return this.find(id);
  }

  async #write(trx: Kysely<Database>, id: number, changes: InstanceChanges, now: string): Promise<void> {
    await trx
      .updateTable('instances')
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.tags !== undefined && { tags: JSON.stringify(changes.tags) }),
        ...(changes.elementKey !== undefined && { element_key: changes.elementKey }),
        ...(changes.configuration !== undefined && {
          configuration_enc: this.#box.cipher.encrypt(JSON.stringify(changes.configuration), AAD.instanceConfiguration(id)),
        }),
        ...(changes.providerData !== undefined && {
          provider_data_enc: this.#box.cipher.encrypt(JSON.stringify(changes.providerData), AAD.instanceProviderData(id)),
        }),
        ...(changes.vendorMeta !== undefined && { vendor_meta: JSON.stringify(changes.vendorMeta) }),
        ...(changes.valid !== undefined && { valid: changes.valid ? 1 : 0 }),
        ...(changes.disabled !== undefined && { disabled: changes.disabled ? 1 : 0 }),
        ...(changes.eventsEnabled !== undefined && { events_enabled: changes.eventsEnabled ? 1 : 0 }),
        ...(changes.traceLoggingEnabled !== undefined && { trace_logging_enabled: changes.traceLoggingEnabled ? 1 : 0 }),
        ...(changes.cachingEnabled !== undefined && { caching_enabled: changes.cachingEnabled ? 1 : 0 }),
        ...(changes.maxCacheSize !== undefined && { max_cache_size: changes.maxCacheSize }),
        ...(changes.cacheTimeToLive !== undefined && { cache_time_to_live: changes.cacheTimeToLive }),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** The ids of an organization's instances made in one account, or by one user. */
  async idsOwnedBy(owner: AccountOrUser): Promise<number[]> {
    const q = this.#db.selectFrom('instances').select('id').where('organization_id', '=', owner.organizationId);
    const rows = await ('accountId' in owner ? q.where('account_id', '=', owner.accountId) : q.where('user_id', '=', owner.userId)).execute();
    return rows.map((r) => r.id);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('instances').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

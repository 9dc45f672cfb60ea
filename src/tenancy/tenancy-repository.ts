import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Expr } from '../ceql/ast.ts';
import { ceqlToSql, type SqlField } from '../store/ceql-sql.ts';
import type { Database, AccountRow, OrganizationRow, UserRow } from '../store/tables.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import { SEALED } from '../store/encrypted-columns.ts';

export interface NewAccount {
  organizationId: number;
  name: string;
  description: string;
  externalId: string;
  defaultAccount: boolean;
}

export interface NewUser {
  organizationId: number;
  accountId: number;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string | null;
  /** The user secret in plain text; stored as a lookup hash and a ciphertext. */
  secret: string;
  roles: string[];
}

export interface UserChanges {
  firstName?: string;
  lastName?: string;
  email?: string;
  passwordHash?: string;
  active?: boolean;
  roles?: string[];
}

/** A filtered, paged read of a platform list. */
export interface ListQuery {
  where?: Expr | undefined;
  offset: number;
  limit: number;
}

/** `where` on accounts and users names the fields of their JSON. */
const ACCOUNT_FIELDS: Readonly<Record<string, SqlField>> = {
  id: { kind: 'integer', column: 'id' },
  name: { kind: 'text', column: 'name' },
  description: { kind: 'text', column: 'description' },
  externalId: { kind: 'text', column: 'external_id' },
  active: { kind: 'boolean', column: 'active' },
  defaultAccount: { kind: 'boolean', column: 'default_account' },
  createdDate: { kind: 'text', column: 'created_at' },
  updatedDate: { kind: 'text', column: 'updated_at' },
  companyId: { kind: 'integer', column: 'organization_id' },
};
const USER_FIELDS: Readonly<Record<string, SqlField>> = {
  id: { kind: 'integer', column: 'id' },
  accountId: { kind: 'integer', column: 'account_id' },
  email: { kind: 'text', column: 'email' },
  firstName: { kind: 'text', column: 'first_name' },
  lastName: { kind: 'text', column: 'last_name' },
  active: { kind: 'boolean', column: 'active' },
  enabled: { kind: 'boolean', column: 'active' },
  createdDate: { kind: 'text', column: 'created_at' },
  lastLoginDate: { kind: 'text', column: 'last_login_at' },
};

export interface AccountChanges {
  name?: string;
  description?: string;
  externalId?: string;
  active?: boolean;
}

/**
 * SQL for organizations, accounts and users. Knows rows, not HTTP; callers scope by organization.
 * Organization and user secrets are sealed and opened here and only here.
 */
export class TenancyRepository {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;

  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  transaction<T>(work: (repo: TenancyRepository) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => work(new TenancyRepository(trx as unknown as Kysely<Database>, this.#box)));
  }

  organizationSecret(org: OrganizationRow): string {
    return this.#box.open(SEALED.organizationSecret, { hash: org.secret_hash, enc: org.secret_enc });
  }

  userSecret(user: UserRow): string {
    return this.#box.open(SEALED.userSecret, { hash: user.secret_hash, enc: user.secret_enc });
  }

  async countOrganizations(): Promise<number> {
    const row = await this.#db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertOrganization(name: string, secret: string, now: string): Promise<OrganizationRow> {
    const sealed = this.#box.seal(SEALED.organizationSecret, secret);
    return this.#db
      .insertInto('organizations')
      .values({ name, secret_hash: sealed.hash, secret_enc: sealed.enc, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  findOrganizationBySecret(secret: string): Promise<OrganizationRow | undefined> {
    return this.#db
      .selectFrom('organizations')
      .selectAll()
      .where('secret_hash', '=', this.#box.lookupHash(SEALED.organizationSecret, secret))
      .executeTakeFirst();
  }

  findOrganization(id: number): Promise<OrganizationRow | undefined> {
    return this.#db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** An account's settings as stored (JSON), null for the defaults; by id alone, for the worker's own use. */
  async accountSettings(accountId: number): Promise<string | null> {
    const row = await this.#db.selectFrom('accounts').select('settings').where('id', '=', accountId).executeTakeFirst();
    return row?.settings ?? null;
  }

  async setAccountSettings(organizationId: number, accountId: number, settings: string, now: string): Promise<void> {
    await this.#db
      .updateTable('accounts')
      .set({ settings, updated_at: now })
      .where('organization_id', '=', organizationId)
      .where('id', '=', accountId)
      .execute();
  }

  /** The organization's password rules as stored (JSON), null for the default. */
  async passwordPolicy(organizationId: number): Promise<string | null> {
    const row = await this.#db.selectFrom('organizations').select('password_policy').where('id', '=', organizationId).executeTakeFirst();
    return row?.password_policy ?? null;
  }

  async setPasswordPolicy(organizationId: number, policy: string | null, now: string): Promise<void> {
    await this.#db.updateTable('organizations').set({ password_policy: policy, updated_at: now }).where('id', '=', organizationId).execute();
  }

  async insertAccount(account: NewAccount, now: string): Promise<AccountRow> {
    return this.#db
      .insertInto('accounts')
      .values({
        organization_id: account.organizationId,
        name: account.name,
        description: account.description,
        external_id: account.externalId,
        default_account: account.defaultAccount ? 1 : 0,
        active: 1,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  findAccount(organizationId: number, id: number): Promise<AccountRow | undefined> {
    return this.#db.selectFrom('accounts').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  }

  /** Which of `ids` are accounts of the organization. */
  async accountIdsAmong(organizationId: number, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom('accounts')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  findAccountByExternalId(organizationId: number, externalId: string): Promise<AccountRow | undefined> {
    return this.#db.selectFrom('accounts').selectAll().where('organization_id', '=', organizationId).where('external_id', '=', externalId).executeTakeFirst();
  }

  findDefaultAccount(organizationId: number): Promise<AccountRow | undefined> {
    return this.#db.selectFrom('accounts').selectAll().where('organization_id', '=', organizationId).where('default_account', '=', 1).executeTakeFirst();
  }

  listAccounts(organizationId: number, query: ListQuery): Promise<AccountRow[]> {
    let q = this.#db.selectFrom('accounts').selectAll().where('organization_id', '=', organizationId);
    if (query.where) q = q.where(ceqlToSql(query.where, ACCOUNT_FIELDS) as RawBuilder<SqlBool>);
    return q.orderBy('id').limit(query.limit).offset(query.offset).execute();
  }

  async updateAccount(organizationId: number, id: number, changes: AccountChanges, now: string): Promise<AccountRow | undefined> {
    return this.#db
      .updateTable('accounts')
      .set({
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.externalId !== undefined && { external_id: changes.externalId }),
        ...(changes.active !== undefined && { active: changes.active ? 1 : 0 }),
        updated_at: now,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteAccount(organizationId: number, id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('accounts').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async insertUser(user: NewUser, now: string): Promise<UserRow> {
    const secret = this.#box.seal(SEALED.userSecret, user.secret);
    return this.#db
      .insertInto('users')
      .values({
        organization_id: user.organizationId,
        account_id: user.accountId,
        email: user.email,
        first_name: user.firstName,
        last_name: user.lastName,
        password_hash: user.passwordHash,
        secret_hash: secret.hash,
        secret_enc: secret.enc,
        roles: JSON.stringify(user.roles),
        active: 1,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  findUserBySecret(secret: string): Promise<UserRow | undefined> {
    return this.#db.selectFrom('users').selectAll().where('secret_hash', '=', this.#box.lookupHash(SEALED.userSecret, secret)).executeTakeFirst();
  }

  /** E-mails are unique across the whole installation, because console sign-in names only an e-mail. */
  findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.#db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  findUser(organizationId: number, id: number): Promise<UserRow | undefined> {
    return this.#db.selectFrom('users').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  }

  listUsers(organizationId: number, accountId: number | undefined, query: ListQuery): Promise<UserRow[]> {
    let q = this.#db.selectFrom('users').selectAll().where('organization_id', '=', organizationId);
    if (accountId !== undefined) q = q.where('account_id', '=', accountId);
    if (query.where) q = q.where(ceqlToSql(query.where, USER_FIELDS) as RawBuilder<SqlBool>);
    return q.orderBy('id').limit(query.limit).offset(query.offset).execute();
  }

  async updateUser(organizationId: number, id: number, changes: UserChanges, now: string): Promise<UserRow | undefined> {
    return this.#db
      .updateTable('users')
      .set({
        ...(changes.firstName !== undefined && { first_name: changes.firstName }),
        ...(changes.lastName !== undefined && { last_name: changes.lastName }),
        ...(changes.email !== undefined && { email: changes.email.toLowerCase() }),
        ...(changes.passwordHash !== undefined && { password_hash: changes.passwordHash }),
        ...(changes.active !== undefined && { active: changes.active ? 1 : 0 }),
        ...(changes.roles !== undefined && { roles: JSON.stringify(changes.roles) }),
        updated_at: now,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async recordLogin(userId: number, now: string): Promise<void> {
    await this.#db.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute();
  }

  async deleteUser(organizationId: number, id: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('users').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

import { ApiError, badRequest, conflict, forbidden, notFound } from '../platform/errors.ts';
import { hashPassword, newBase64Secret, newOrganizationSecret, newPassword, verifyPassword } from '../platform/crypto.ts';
import { isoSeconds, type Clock } from '../platform/clock.ts';
import type { AuthorizationParts } from '../platform/auth-header.ts';
import type { AccountRow, OrganizationRow, UserRow } from '../store/tables.ts';
import { canAdministerAccount, isOrgAdmin, type Identity } from '../auth/identity.ts';
import type { ListQuery, TenancyRepository, UserChanges } from './tenancy-repository.ts';
import { ROLE_KEYS, rolesOf, type RoleKey } from './views.ts';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface NewOrganizationInput {
  name: string;
  adminEmail: string;
  adminPassword?: string | undefined;
  organizationSecret?: string | undefined;
  userSecret?: string | undefined;
  adminFirstName?: string;
  adminLastName?: string;
}

export interface NewOrganizationResult {
  organization: OrganizationRow;
  account: AccountRow;
  user: UserRow;
  organizationSecret: string;
  userSecret: string;
  adminPassword: string;
}

export interface UserInput {
  email?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  password?: unknown;
  roles?: unknown;
  active?: unknown;
}

/** Organizations, accounts and users: the tenancy rules, independent of HTTP. */
export class TenancyService {
  readonly #repo: TenancyRepository;
  readonly #clock: Clock;
  readonly #userChangeListeners: (() => void)[] = [];

  constructor(repo: TenancyRepository, clock: Clock) {
    this.#repo = repo;
    this.#clock = clock;
  }

  #now(): string {
    return isoSeconds(this.#clock.now());
  }

  /** Lets caches of resolved credentials drop them when a user changes or goes. */
  onUserChange(listener: () => void): void {
    this.#userChangeListeners.push(listener);
  }

  #usersChanged(): void {
    for (const l of this.#userChangeListeners) l();
  }

  countOrganizations(): Promise<number> {
    return this.#repo.countOrganizations();
  }

  /**
   * Pinned first-start values apply only when the first organization is created. On a store that
   * already has one, each pinned value that matches nothing there is named, so a process is never
   * started believing a secret or password is in force when it is not.
   */
  async pinnedValuesNotInForce(pinned: { organizationSecret?: string | undefined; userSecret?: string | undefined; adminEmail?: string | undefined; adminPassword?: string | undefined }): Promise<string[]> {
    const ignored: string[] = [];
    if (pinned.organizationSecret !== undefined && !(await this.#repo.findOrganizationBySecret(pinned.organizationSecret))) {
      ignored.push('SWITCHBOARD_ORGANIZATION_SECRET');
    }
    if (pinned.userSecret !== undefined && !(await this.#repo.findUserBySecret(pinned.userSecret))) {
      ignored.push('SWITCHBOARD_USER_SECRET');
    }
    const admin = pinned.adminEmail !== undefined ? await this.#repo.findUserByEmail(pinned.adminEmail.trim().toLowerCase()) : undefined;
    if (pinned.adminEmail !== undefined && !admin) ignored.push('SWITCHBOARD_ADMIN_EMAIL');
    if (pinned.adminPassword !== undefined && admin && !(admin.password_hash && await verifyPassword(pinned.adminPassword, admin.password_hash))) {
      ignored.push('SWITCHBOARD_ADMIN_PASSWORD');
    }
    return ignored;
  }

  /** Creates an organization with its default account and first user, an org admin. */
  async createOrganization(input: NewOrganizationInput): Promise<NewOrganizationResult> {
    const email = normaliseEmail(input.adminEmail);
    const organizationSecret = input.organizationSecret ?? newOrganizationSecret();
    const userSecret = input.userSecret ?? newBase64Secret();
    const adminPassword = input.adminPassword ?? newPassword();
    if (!/^[0-9a-f]{32}$/.test(organizationSecret)) throw badRequest('An organization secret must be 32 lowercase hex characters');
    if (!/^[A-Za-z0-9+/]{43}=$/.test(userSecret)) throw badRequest('A user secret must be the base64 of 32 bytes (44 characters)');
    validatePassword(adminPassword);
    if (input.name.trim() === '') throw badRequest('An organization needs a name');
    const passwordHash = await hashPassword(adminPassword);
    const now = this.#now();
    return this.#repo.transaction(async (repo) => {
      if (await repo.findUserByEmail(email)) throw conflict(`A user with e-mail ${email} already exists`);
      if (await repo.findUserBySecret(userSecret)) throw conflict('That user secret is already in use');
      if (await repo.findOrganizationBySecret(organizationSecret)) throw conflict('That organization secret is already in use');
      const organization = await repo.insertOrganization(input.name.trim(), organizationSecret, now);
      const account = await repo.insertAccount({
        organizationId: organization.id, name: `${organization.name} default account`, description: 'Default account',
        externalId: email, defaultAccount: true,
      }, now);
      const user = await repo.insertUser({
        organizationId: organization.id, accountId: account.id, email,
        firstName: input.adminFirstName ?? 'Admin', lastName: input.adminLastName ?? 'User',
        passwordHash, secret: userSecret, roles: ['org-admin', 'admin'],
      }, now);
      return { organization, account, user, organizationSecret, userSecret, adminPassword };
    });
  }

  /**
   * Resolves `User` + `Organization` to an identity. Both must be present and the user must
   * belong to that organization; every mismatch is the same 401 so the answer reveals nothing.
   */
  async authenticate(parts: AuthorizationParts): Promise<Identity> {
    if (parts.user === undefined || parts.organization === undefined) {
      throw new ApiError('UNAUTHORIZED', 'User and Organization secrets are required in the Authorization header');
    }
    const user = await this.#repo.findUserBySecret(parts.user);
    if (!user || user.active !== 1) throw new ApiError('UNAUTHORIZED');
    const org = await this.#repo.findOrganizationBySecret(parts.organization);
    if (!org || org.id !== user.organization_id) throw new ApiError('UNAUTHORIZED');
    return this.identityOf(user, parts.element);
  }

  /**
   * Hub calls: `User` + `Element`, with `Organization` optional (documented both ways). The
   * token must be present; when an organization secret is given it must be the user's.
   */
  async authenticateHub(parts: AuthorizationParts): Promise<Identity> {
    if (parts.user === undefined || parts.element === undefined) {
      throw new ApiError('UNAUTHORIZED', 'Hub calls need "User <secret>, Element <token>" (and optionally Organization) in the Authorization header');
    }
    const user = await this.#repo.findUserBySecret(parts.user);
    if (!user || user.active !== 1) throw new ApiError('UNAUTHORIZED');
    if (parts.organization !== undefined) {
      const org = await this.#repo.findOrganizationBySecret(parts.organization);
      if (!org || org.id !== user.organization_id) throw new ApiError('UNAUTHORIZED');
    }
    return this.identityOf(user, parts.element);
  }

  async identityOf(user: UserRow, elementToken?: string): Promise<Identity> {
    const account = await this.#repo.findAccount(user.organization_id, user.account_id);
    const identity: Identity = {
      organizationId: user.organization_id,
      user: {
        id: user.id, accountId: user.account_id, email: user.email,
        firstName: user.first_name, lastName: user.last_name, roles: rolesOf(user),
      },
      inDefaultAccount: account?.default_account === 1,
    };
    if (elementToken !== undefined) identity.elementToken = elementToken;
    return identity;
  }

  /** The secrets shown to a signed-in console user. */
  async secretsOf(user: UserRow): Promise<{ user: string; company: string }> {
    const org = await this.#repo.findOrganization(user.organization_id);
    if (!org) throw new ApiError('NO_CONSOLE_SESSION');
    return {
      user: this.#repo.userSecret(user),
      company: this.#repo.organizationSecret(org),
    };
  }

  userSecret(user: UserRow): string {
    return this.#repo.userSecret(user);
  }

  // ---- accounts -------------------------------------------------------------------------

  /** The Accounts API is for org admins of the default account (Open Connectors answers 401 otherwise). */
  requireAccountsApi(identity: Identity): void {
    if (!identity.inDefaultAccount) throw new ApiError('NOT_DEFAULT_ACCOUNT');
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins can manage accounts');
  }

  listAccounts(identity: Identity, query: ListQuery): Promise<AccountRow[]> {
    this.requireAccountsApi(identity);
    return this.#repo.listAccounts(identity.organizationId, query);
  }

  async createAccount(identity: Identity, body: { name?: unknown; description?: unknown; externalId?: unknown }): Promise<AccountRow> {
    this.requireAccountsApi(identity);
    const externalId = requiredString(body.externalId, 'externalId', 255);
    const name = optionalString(body.name, 'name', 255) ?? externalId;
    const description = optionalString(body.description, 'description', 2000) ?? '';
    return this.#repo.transaction(async (repo) => {
      if (await repo.findAccountByExternalId(identity.organizationId, externalId)) {
        throw conflict(`An account with externalId ${externalId} already exists`);
      }
      return repo.insertAccount({ organizationId: identity.organizationId, name, description, externalId, defaultAccount: false }, this.#now());
    });
  }

  async getAccount(identity: Identity, id: number): Promise<AccountRow> {
    this.requireAccountsApi(identity);
    const account = await this.#repo.findAccount(identity.organizationId, id);
    if (!account) throw notFound(`No account found with ID ${id}`);
    return account;
  }

  async updateAccount(identity: Identity, id: number, body: { name?: unknown; description?: unknown; externalId?: unknown; active?: unknown }): Promise<AccountRow> {
    const existing = await this.getAccount(identity, id);
    const externalId = optionalString(body.externalId, 'externalId', 255);
    if (externalId !== undefined && externalId !== existing.external_id && await this.#repo.findAccountByExternalId(identity.organizationId, externalId)) {
      throw conflict(`An account with externalId ${externalId} already exists`);
    }
    const active = optionalBoolean(body.active, 'active');
    if (active === false && existing.default_account === 1) throw badRequest('The default account cannot be deactivated');
    const updated = await this.#repo.updateAccount(identity.organizationId, id, {
      name: optionalString(body.name, 'name', 255), description: optionalString(body.description, 'description', 2000),
      externalId, active,
    }, this.#now());
    if (!updated) throw notFound(`No account found with ID ${id}`);
    return updated;
  }

  async deleteAccount(identity: Identity, id: number): Promise<void> {
    const existing = await this.getAccount(identity, id);
    if (existing.default_account === 1) throw badRequest('The default account cannot be deleted');
    await this.#repo.deleteAccount(identity.organizationId, id);
    this.#usersChanged();
  }

  // ---- users ----------------------------------------------------------------------------

  async createUser(identity: Identity, accountId: number | 'default', body: UserInput): Promise<{ user: UserRow; secret: string }> {
    const account = accountId === 'default'
      ? await this.#repo.findDefaultAccount(identity.organizationId)
      : await this.#repo.findAccount(identity.organizationId, accountId);
    if (!account) throw notFound(`No account found with ID ${accountId}`);
    if (accountId === 'default' ? !isOrgAdmin(identity) : !canAdministerAccount(identity, account.id)) {
      throw forbidden('Your role does not allow creating users in this account');
    }
    if (body === null || typeof body !== 'object' || Object.keys(body).length === 0) throw badRequest('A user needs at least an email');
    const email = normaliseEmail(requiredString(body.email, 'email', 320));
    const password = optionalString(body.password, 'password', 200);
    if (password !== undefined) validatePassword(password);
    const roles = parseRoles(body.roles) ?? ['admin'];
    if (roles.includes('org-admin') && (!isOrgAdmin(identity) || account.default_account !== 1)) {
      throw forbidden('Only organization admins can grant org-admin, and only in the default account');
    }
    const secret = newBase64Secret();
    const passwordHash = password === undefined ? null : await hashPassword(password);
    const user = await this.#repo.transaction(async (repo) => {
      if (await repo.findUserByEmail(email)) throw conflict(`A user with e-mail ${email} already exists`);
      return repo.insertUser({
        organizationId: identity.organizationId, accountId: account.id, email,
        firstName: optionalString(body.firstName, 'firstName', 255) ?? '',
        lastName: optionalString(body.lastName, 'lastName', 255) ?? '',
        passwordHash, secret, roles,
      }, this.#now());
    });
    return { user, secret };
  }

  /** Users the caller may see: org admins see the organization, account admins their account, others themselves. */
  async listUsers(identity: Identity, query: ListQuery, accountId?: number): Promise<UserRow[]> {
    if (accountId !== undefined) {
      const account = await this.#repo.findAccount(identity.organizationId, accountId);
      if (!account) throw notFound(`No account found with ID ${accountId}`);
      if (!canAdministerAccount(identity, accountId)) throw forbidden();
      return this.#repo.listUsers(identity.organizationId, accountId, query);
    }
    if (isOrgAdmin(identity)) return this.#repo.listUsers(identity.organizationId, undefined, query);
    if (identity.user.roles.includes('admin')) return this.#repo.listUsers(identity.organizationId, identity.user.accountId, query);
    // Anybody else sees only themselves (still through the filter, so `where` means the same).
    return (await this.#repo.listUsers(identity.organizationId, identity.user.accountId, query)).filter((u) => u.id === identity.user.id);
  }

  /** Finds a user by numeric id or e-mail inside the caller's organization; invisible users are 404. */
  async findVisibleUser(identity: Identity, emailOrId: string, accountId?: number): Promise<UserRow> {
    const user = /^\d{1,15}$/.test(emailOrId)
      ? await this.#repo.findUser(identity.organizationId, Number(emailOrId))
      : await this.#repo.findUserByEmail(emailOrId);
    const visible = user !== undefined && user.organization_id === identity.organizationId &&
      (accountId === undefined || user.account_id === accountId) &&
      (user.id === identity.user.id || canAdministerAccount(identity, user.account_id));
    if (!visible) throw notFound(`No user found with ID or e-mail ${emailOrId}`);
    return user!;
  }

  async updateUser(identity: Identity, emailOrId: string, body: UserInput, accountId?: number): Promise<UserRow> {
    const user = await this.findVisibleUser(identity, emailOrId, accountId);
    if (body === null || typeof body !== 'object') throw badRequest('The body must be a JSON object');
    const changes: UserChanges = {
      firstName: optionalString(body.firstName, 'firstName', 255),
      lastName: optionalString(body.lastName, 'lastName', 255),
    };
    const email = optionalString(body.email, 'email', 320);
    if (email !== undefined) {
      changes.email = normaliseEmail(email);
      const other = await this.#repo.findUserByEmail(changes.email);
      if (other && other.id !== user.id) throw conflict(`A user with e-mail ${changes.email} already exists`);
    }
    const password = optionalString(body.password, 'password', 200);
    if (password !== undefined) {
      validatePassword(password);
      changes.passwordHash = await hashPassword(password);
    }
    const roles = parseRoles(body.roles);
    const active = optionalBoolean(body.active, 'active');
    if (roles !== undefined || active !== undefined) {
      if (user.id === identity.user.id) throw forbidden('You cannot change your own roles or deactivate yourself');
      if (!canAdministerAccount(identity, user.account_id)) throw forbidden();
      if (roles?.includes('org-admin') && !isOrgAdmin(identity)) throw forbidden('Only organization admins can grant org-admin');
      changes.roles = roles;
      changes.active = active;
    }
    const updated = await this.#repo.updateUser(identity.organizationId, user.id, changes, this.#now());
    this.#usersChanged();
    if (!updated) throw notFound(`No user found with ID or e-mail ${emailOrId}`);
    return updated;
  }

  async deleteUser(identity: Identity, emailOrId: string): Promise<void> {
    const user = await this.findVisibleUser(identity, emailOrId);
    if (user.id === identity.user.id) throw forbidden('You cannot delete yourself');
    if (!canAdministerAccount(identity, user.account_id)) throw forbidden();
    await this.#repo.deleteUser(identity.organizationId, user.id);
    this.#usersChanged();
  }
}

export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed)) throw badRequest(`"${email.slice(0, 100)}" is not an e-mail address`);
  return trimmed;
}

/** Minimal password rule; organization password policies can tighten it. */
export function validatePassword(password: string): void {
  if (password.length < 8) throw badRequest('A password must be at least 8 characters long');
}

function requiredString(value: unknown, name: string, max: number): string {
  const s = optionalString(value, name, max);
  if (s === undefined || s.trim() === '') throw badRequest(`${name} is required`);
  return s.trim();
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  if (value.length > max) throw badRequest(`${name} must be at most ${max} characters`);
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badRequest(`${name} must be true or false`);
}

/** Accepts `[{"key": "admin"}]` (the wire form) or `["admin"]`. */
function parseRoles(value: unknown): RoleKey[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('roles must be an array');
  const keys = value.map((r: unknown) => (typeof r === 'object' && r !== null ? (r as { key?: unknown }).key : r));
  for (const k of keys) {
    if (typeof k !== 'string' || !ROLE_KEYS.includes(k as RoleKey)) throw badRequest(`Unknown role "${String(k)}"; roles are ${ROLE_KEYS.join(', ')}`);
  }
  return [...new Set(keys as RoleKey[])];
}

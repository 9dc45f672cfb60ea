import { ApiError, badRequest, conflict, forbidden, notFound } from '../platform/errors.ts';
import { hashPassword, newBase64Secret, newOrganizationSecret, newPassword, verifyPassword } from '../platform/crypto.ts';
import { isoSeconds, type Clock } from '../platform/clock.ts';
import type { AuthorizationParts } from '../platform/auth-header.ts';
import type { AccountRow, OrganizationRow, UserRow } from '../store/tables.ts';
import { canAdministerAccount, isOrgAdmin, type Identity } from '../auth/identity.ts';
import type { ListQuery, TenancyRepository, UserChanges } from './tenancy-repository.ts';
import { rolesOf, type RoleKey } from './views.ts';
import { ROLE_KEYS, type AccountBody, type UserBody } from './schemas.ts';
import { type AccountSettings, type AccountSettingsBody, FAILURE_POLICY, type FailurePolicy, storedSettings } from './account-settings.ts';
import { checkPassword, DEFAULT_PASSWORD_POLICY, type PasswordPolicy, type PasswordPolicyBody, policyOf, storedPolicy } from './password-policy.ts';

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

/** An account, or a user, of an organization. */
export type AccountOrUser = { organizationId: number } & ({ accountId: number } | { userId: number });

/** Organizations, accounts and users: the tenancy rules, independent of HTTP. */
export class TenancyService {
  readonly #repo: TenancyRepository;
  readonly #clock: Clock;
  readonly #userChangeListeners: (() => void)[] = [];
  #beforeDeleting: (owner: AccountOrUser) => Promise<void> = async () => undefined;

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

  /**
   * Set once at wiring time: what must go, through its own service, before an account or a user
   * is deleted (their instances, whose vendor webhooks the database cannot remove).
   */
  beforeDeleting(hook: (owner: AccountOrUser) => Promise<void>): void {
    this.#beforeDeleting = hook;
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
  async pinnedValuesNotInForce(pinned: {
    organizationSecret?: string | undefined;
    userSecret?: string | undefined;
    adminEmail?: string | undefined;
    adminPassword?: string | undefined;
  }): Promise<string[]> {
    const ignored: string[] = [];
    if (pinned.organizationSecret !== undefined && !(await this.#repo.findOrganizationBySecret(pinned.organizationSecret))) {
      ignored.push('SWITCHBOARD_ORGANIZATION_SECRET');
    }
    if (pinned.userSecret !== undefined && !(await this.#repo.findUserBySecret(pinned.userSecret))) {
      ignored.push('SWITCHBOARD_USER_SECRET');
    }
    const admin = pinned.adminEmail !== undefined ? await this.#repo.findUserByEmail(pinned.adminEmail.trim().toLowerCase()) : undefined;
    if (pinned.adminEmail !== undefined && !admin) ignored.push('SWITCHBOARD_ADMIN_EMAIL');
    if (pinned.adminPassword !== undefined && admin && !(admin.password_hash && (await verifyPassword(pinned.adminPassword, admin.password_hash)))) {
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
    checkPassword(DEFAULT_PASSWORD_POLICY, adminPassword);
    if (input.name.trim() === '') throw badRequest('An organization needs a name');
    const passwordHash = await hashPassword(adminPassword);
    const now = this.#now();
    return this.#repo.transaction(async (repo) => {
      if (await repo.findUserByEmail(email)) throw conflict(`A user with e-mail ${email} already exists`);
      if (await repo.findUserBySecret(userSecret)) throw conflict('That user secret is already in use');
      if (await repo.findOrganizationBySecret(organizationSecret)) throw conflict('That organization secret is already in use');
      const organization = await repo.insertOrganization(input.name.trim(), organizationSecret, now);
      const account = await repo.insertAccount(
        {
          organizationId: organization.id,
          name: `${organization.name} default account`,
          description: 'Default account',
          externalId: email,
          defaultAccount: true,
        },
        now,
      );
      const user = await repo.insertUser(
        {
          organizationId: organization.id,
          accountId: account.id,
          email,
          firstName: input.adminFirstName ?? 'Admin',
          lastName: input.adminLastName ?? 'User',
          passwordHash,
          secret: userSecret,
          roles: ['org-admin', 'admin'],
        },
        now,
      );
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
    if (user?.active !== 1) throw new ApiError('UNAUTHORIZED');
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
    if (user?.active !== 1) throw new ApiError('UNAUTHORIZED');
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
        id: user.id,
        accountId: user.account_id,
        email: user.email,
        firstName: user.first_name,
        lastName: user.last_name,
        roles: rolesOf(user),
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

  /**
   * The `Authorization` header a user's calls carry, from their secrets as they are now (the call
   * of a scheduled job, made as the user who made the job); undefined for a user who is gone or
   * no longer active, whose calls are refused.
   */
  async authorizationOf(organizationId: number, userId: number, elementToken?: string): Promise<string | undefined> {
    const user = await this.#repo.findUser(organizationId, userId);
    const org = await this.#repo.findOrganization(organizationId);
    if (user?.active !== 1 || !org) return undefined;
    const parts = [`User ${this.#repo.userSecret(user)}`, `Organization ${this.#repo.organizationSecret(org)}`];
    if (elementToken !== undefined) parts.push(`Element ${elementToken}`);
    return parts.join(', ');
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

  async createAccount(identity: Identity, body: AccountBody): Promise<AccountRow> {
    this.requireAccountsApi(identity);
    const externalId = required(body.externalId, 'externalId');
    const name = body.name ?? externalId;
    const description = body.description ?? '';
    return this.#repo.transaction(async (repo) => {
      if (await repo.findAccountByExternalId(identity.organizationId, externalId)) {
        throw conflict(`An account with externalId ${externalId} already exists`);
      }
      return repo.insertAccount({ organizationId: identity.organizationId, name, description, externalId, defaultAccount: false }, this.#now());
    });
  }

  /** The id of the caller's organization's default account. */
  async defaultAccountId(identity: Identity): Promise<number> {
    const account = await this.#repo.findDefaultAccount(identity.organizationId);
    if (!account) throw notFound('The organization has no default account');
    return account.id;
  }

  /** 404 unless the account is one of the caller's organization (whatever the caller's role). */
  async requireOwnAccount(identity: Identity, id: number): Promise<void> {
    if (!(await this.#repo.findAccount(identity.organizationId, id))) throw notFound(`No account found with ID ${id}`);
  }

  /**
   * The first of `ids` whose reports the caller may not see, or `undefined` when they may see all:
   * an organization admin every account of the organization, anybody else their own.
   */
  async firstUnseenAccount(identity: Identity, ids: readonly number[]): Promise<number | undefined> {
    if (!isOrgAdmin(identity)) return ids.find((id) => id !== identity.user.accountId);
    const own = await this.#repo.accountIdsAmong(identity.organizationId, ids);
    return ids.find((id) => !own.has(id));
  }

  async getAccount(identity: Identity, id: number): Promise<AccountRow> {
    this.requireAccountsApi(identity);
    const account = await this.#repo.findAccount(identity.organizationId, id);
    if (!account) throw notFound(`No account found with ID ${id}`);
    return account;
  }

  async updateAccount(identity: Identity, id: number, body: AccountBody): Promise<AccountRow> {
    const existing = await this.getAccount(identity, id);
    const externalId = body.externalId;
    if (externalId !== undefined && externalId !== existing.external_id && (await this.#repo.findAccountByExternalId(identity.organizationId, externalId))) {
      throw conflict(`An account with externalId ${externalId} already exists`);
    }
    if (body.active === false && existing.default_account === 1) throw badRequest('The default account cannot be deactivated');
    const updated = await this.#repo.updateAccount(
      identity.organizationId,
      id,
      { name: body.name, description: body.description, externalId, active: body.active },
      this.#now(),
    );
    if (!updated) throw notFound(`No account found with ID ${id}`);
    return updated;
  }

  async deleteAccount(identity: Identity, id: number): Promise<void> {
    const existing = await this.getAccount(identity, id);
    if (existing.default_account === 1) throw badRequest('The default account cannot be deleted');
    await this.#beforeDeleting({ organizationId: identity.organizationId, accountId: id });
    await this.#repo.deleteAccount(identity.organizationId, id);
    this.#usersChanged();
  }

  // ---- account settings ------------------------------------------------------------------

  async accountSettings(identity: Identity, id: number): Promise<AccountSettings> {
    const account = await this.getAccount(identity, id);
    return storedSettings(account.settings);
  }

  /** Sets the settings named in `body` (account administrators); the others keep their values. */
  async changeAccountSettings(identity: Identity, id: number, body: AccountSettingsBody): Promise<AccountSettings> {
    const account = await this.getAccount(identity, id);
    if (!canAdministerAccount(identity, account.id)) throw forbidden("Your role does not allow changing this account's settings");
    const settings = { ...storedSettings(account.settings), ...body };
    await this.#repo.setAccountSettings(identity.organizationId, account.id, JSON.stringify(settings), this.#now());
    return settings;
  }

  /** What the event worker does with a failed notification of the account's instances. */
  async failurePolicy(accountId: number): Promise<FailurePolicy> {
    return storedSettings(await this.#repo.accountSettings(accountId))[FAILURE_POLICY];
  }

  // ---- password policy -------------------------------------------------------------------

  /** The rules a new password of the organization's users must meet. */
  async passwordPolicy(organizationId: number): Promise<PasswordPolicy> {
    return storedPolicy(await this.#repo.passwordPolicy(organizationId));
  }

  /**
   * Sets the organization's rules (org admins only), whole: members left out take their defaults.
   * They apply to passwords set from now on; a password already set stays valid.
   */
  async setPasswordPolicy(identity: Identity, body: PasswordPolicyBody): Promise<PasswordPolicy> {
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins can set the password policy');
    const policy = policyOf(body);
    await this.#repo.setPasswordPolicy(identity.organizationId, JSON.stringify(policy), this.#now());
    return policy;
  }

  /** Back to the default rules (org admins only). */
  async clearPasswordPolicy(identity: Identity): Promise<PasswordPolicy> {
    if (!isOrgAdmin(identity)) throw forbidden('Only organization admins can clear the password policy');
    await this.#repo.setPasswordPolicy(identity.organizationId, null, this.#now());
    return DEFAULT_PASSWORD_POLICY;
  }

  // ---- users ----------------------------------------------------------------------------

  async createUser(identity: Identity, accountId: number | 'default', body: UserBody): Promise<{ user: UserRow; secret: string }> {
    const account =
      accountId === 'default' ? await this.#repo.findDefaultAccount(identity.organizationId) : await this.#repo.findAccount(identity.organizationId, accountId);
    if (!account) throw notFound(`No account found with ID ${accountId}`);
    if (accountId === 'default' ? !isOrgAdmin(identity) : !canAdministerAccount(identity, account.id)) {
      throw forbidden('Your role does not allow creating users in this account');
    }
    const email = normaliseEmail(required(body.email, 'email'));
    const password = body.password;
    if (password !== undefined) checkPassword(await this.passwordPolicy(identity.organizationId), password);
    const roles = roleKeys(body.roles) ?? ['admin'];
    if (roles.includes('org-admin') && (!isOrgAdmin(identity) || account.default_account !== 1)) {
      throw forbidden('Only organization admins can grant org-admin, and only in the default account');
    }
    const secret = newBase64Secret();
    const passwordHash = password === undefined ? null : await hashPassword(password);
    const user = await this.#repo.transaction(async (repo) => {
      if (await repo.findUserByEmail(email)) throw conflict(`A user with e-mail ${email} already exists`);
      return repo.insertUser(
        {
          organizationId: identity.organizationId,
          accountId: account.id,
          email,
          firstName: body.firstName ?? '',
          lastName: body.lastName ?? '',
          passwordHash,
          secret,
          roles,
        },
        this.#now(),
      );
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
    const visible =
      user !== undefined &&
      user.organization_id === identity.organizationId &&
      (accountId === undefined || user.account_id === accountId) &&
      (user.id === identity.user.id || canAdministerAccount(identity, user.account_id));
    if (!visible) throw notFound(`No user found with ID or e-mail ${emailOrId}`);
    return user!;
  }

  async updateUser(identity: Identity, emailOrId: string, body: UserBody, accountId?: number): Promise<UserRow> {
    const user = await this.findVisibleUser(identity, emailOrId, accountId);
    const changes: UserChanges = { firstName: body.firstName, lastName: body.lastName };
    const email = body.email;
    if (email !== undefined) {
      changes.email = normaliseEmail(email);
      const other = await this.#repo.findUserByEmail(changes.email);
      if (other && other.id !== user.id) throw conflict(`A user with e-mail ${changes.email} already exists`);
    }
    if (body.password !== undefined) {
      checkPassword(await this.passwordPolicy(identity.organizationId), body.password);
      changes.passwordHash = await hashPassword(body.password);
    }
    const roles = roleKeys(body.roles);
    const active = body.active;
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

  /**
   * One role of one user (`PUT/GET/DELETE /users/{id}/roles/{roleKey}`). Reading needs the user to
   * be visible (404 otherwise); granting and revoking need the right to administer the user's
   * account, a user of another account being a 403 rather than a 404, as is a change of one's
   * own roles. An unknown role is a 400; granting a role held already a 409, revoking one not
   * held a 404. `org-admin` is granted by organization admins only, to users of the default account.
   */
  async userRole(identity: Identity, emailOrId: string, roleKey: string, change: 'read' | 'grant' | 'revoke'): Promise<UserRow> {
    if (!(ROLE_KEYS as readonly string[]).includes(roleKey)) throw badRequest(`No role ${roleKey.slice(0, 50)}: the roles are ${ROLE_KEYS.join(', ')}`);
    const role = roleKey as RoleKey;
    const user = /^\d{1,15}$/.test(emailOrId)
      ? await this.#repo.findUser(identity.organizationId, Number(emailOrId))
      : await this.#repo.findUserByEmail(emailOrId);
    if (!user || user.organization_id !== identity.organizationId) throw notFound(`No user found with ID or e-mail ${emailOrId.slice(0, 100)}`);
    const held = rolesOf(user).includes(role);
    if (change === 'read') {
      if (user.id !== identity.user.id && !canAdministerAccount(identity, user.account_id))
        throw notFound(`No user found with ID or e-mail ${emailOrId.slice(0, 100)}`);
      if (!held) throw notFound(`User ${user.id} does not have the role ${role}`);
      return user;
    }
    if (user.id === identity.user.id) throw forbidden('You cannot change your own roles');
    if (!canAdministerAccount(identity, user.account_id)) throw forbidden("Your role does not allow changing the roles of this account's users");
    if (change === 'grant') {
      if (held) throw conflict(`User ${user.id} has the role ${role} already`);
      if (role === 'org-admin') {
        const account = await this.#repo.findAccount(identity.organizationId, user.account_id);
        if (!isOrgAdmin(identity) || account?.default_account !== 1)
          throw forbidden('Only organization admins grant org-admin, and only to users of the default account');
      }
    } else if (!held) throw notFound(`User ${user.id} does not have the role ${role}`);
    const roles = change === 'grant' ? [...rolesOf(user), role] : rolesOf(user).filter((r) => r !== role);
    const updated = await this.#repo.updateUser(identity.organizationId, user.id, { roles }, this.#now());
    this.#usersChanged();
    if (!updated) throw notFound(`No user found with ID or e-mail ${emailOrId.slice(0, 100)}`);
    return updated;
  }

  async deleteUser(identity: Identity, emailOrId: string): Promise<void> {
    const user = await this.findVisibleUser(identity, emailOrId);
    if (user.id === identity.user.id) throw forbidden('You cannot delete yourself');
    if (!canAdministerAccount(identity, user.account_id)) throw forbidden();
    await this.#beforeDeleting({ organizationId: identity.organizationId, userId: user.id });
    await this.#repo.deleteUser(identity.organizationId, user.id);
    this.#usersChanged();
  }
}

export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed)) throw badRequest(`"${email.slice(0, 100)}" is not an e-mail address`);
  return trimmed;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '') throw badRequest(`${name} is required`);
  return value.trim();
}

/** Roles as sent (`[{"key": "admin"}]` or `["admin"]`), as keys without repeats. */
function roleKeys(roles: UserBody['roles']): RoleKey[] | undefined {
  return roles === undefined ? undefined : [...new Set(roles.map((r) => (typeof r === 'string' ? r : r.key)))];
}

import type { RoleKey } from '../tenancy/views.ts';

/**
 * Who is calling, resolved once per request from the `Authorization` header and used by every
 * route. `elementToken` is the raw `Element` part, resolved to an instance only by routes that
 * need a current instance (and only inside `organizationId`).
 */
export interface Identity {
  organizationId: number;
  user: {
    id: number;
    accountId: number;
    email: string;
    firstName: string;
    lastName: string;
    roles: readonly RoleKey[];
  };
  /** True when the user belongs to the organization's default account. */
  inDefaultAccount: boolean;
  elementToken?: string;
}

export const isOrgAdmin = (identity: Identity): boolean => identity.user.roles.includes('org-admin');

/** Account admins manage the users of their own account; org admins manage every account. */
export const canAdministerAccount = (identity: Identity, accountId: number): boolean =>
  isOrgAdmin(identity) || (identity.user.roles.includes('admin') && identity.user.accountId === accountId);

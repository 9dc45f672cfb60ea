import { Type, type Static } from 'typebox';
import { NumericId, PageNumber, PageSize } from '../platform/http/schemas.ts';
import { PASSWORD_MAX } from './password-policy.ts';

/** Accounts and users (open-connectors-api.md §1), shared by the routes and the console. */

export const AccountJson = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    active: Type.Boolean(),
    createdDate: Type.String(),
    updatedDate: Type.String(),
    externalId: Type.String(),
    defaultAccount: Type.Boolean(),
    type: Type.Union([Type.Literal('Default'), Type.Literal('CompanyAccount')]),
    companyId: Type.Integer(),
  },
  { title: 'Account' },
);
export type AccountJson = Static<typeof AccountJson>;

/** The roles a user may hold: `org-admin` (the whole organization) and `admin` (their account). */
export const RoleKey = Type.Union([Type.Literal('org-admin'), Type.Literal('admin')]);
export type RoleKey = Static<typeof RoleKey>;
export const ROLE_KEYS: readonly RoleKey[] = ['org-admin', 'admin'];

export const UserJson = Type.Object(
  {
    id: Type.Integer(),
    accountId: Type.Integer(),
    createdDate: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    fullName: Type.String(),
    email: Type.String(),
    active: Type.Boolean(),
    lastLoginDate: Type.String(),
    emailValid: Type.Boolean(),
    accountExpired: Type.Boolean(),
    accountLocked: Type.Boolean(),
    credentialsExpired: Type.Boolean(),
    accountNonExpired: Type.Boolean(),
    credentialsNonExpired: Type.Boolean(),
    accountNonLocked: Type.Boolean(),
    enabled: Type.Boolean(),
    roles: Type.Array(Type.Object({ key: RoleKey })),
    secret: Type.Optional(Type.String({ description: 'Only on creation, and with elements-user-password' })),
  },
  { title: 'User' },
);
export type UserJson = Static<typeof UserJson>;

export const AccountBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    externalId: Type.Optional(Type.String({ maxLength: 255 })),
    active: Type.Optional(Type.Boolean()),
  },
  { title: 'AccountInput' },
);
export type AccountBody = Static<typeof AccountBody>;

/** Roles as `[{"key": "admin"}]` (the wire form) or `["admin"]`. */
const Roles = Type.Array(Type.Union([RoleKey, Type.Object({ key: RoleKey })]), { maxItems: 10 });

export const UserBody = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320 })),
    firstName: Type.Optional(Type.String({ maxLength: 255 })),
    lastName: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: PASSWORD_MAX })),
    roles: Type.Optional(Roles),
    active: Type.Optional(Type.Boolean()),
  },
  { title: 'UserInput' },
);
export type UserBody = Static<typeof UserBody>;

export const ListQuery = Type.Object({
  where: Type.Optional(Type.String({ maxLength: 10_000, description: 'CEQL on the members of the listed objects' })),
  page: Type.Optional(PageNumber),
  pageSize: Type.Optional(PageSize('200 by default, at most 1000')),
  offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
});
export type ListQuery = Static<typeof ListQuery>;

export const AccountParams = Type.Object({ id: NumericId });
export const UserParams = Type.Object({ emailOrId: Type.String({ minLength: 1, maxLength: 320, description: 'A user id or e-mail' }) });
export const AccountUserParams = Type.Object({ id: NumericId, emailOrId: Type.String({ minLength: 1, maxLength: 320 }) });

import type { AccountRow, UserRow } from '../store/tables.ts';
import type { AccountJson, RoleKey, UserJson } from './schemas.ts';

export type { RoleKey };

/** Open Connectors account JSON (`account.schema.json`). */
export function accountJson(row: AccountRow): AccountJson {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    active: row.active === 1,
    createdDate: row.created_at,
    updatedDate: row.updated_at,
    externalId: row.external_id,
    defaultAccount: row.default_account === 1,
    type: row.default_account === 1 ? 'Default' : 'CompanyAccount',
    companyId: row.organization_id,
  };
}

/** Open Connectors user JSON (`user.schema.json`). `secret` only where §1.4 allows it. */
export const rolesOf = (row: UserRow): RoleKey[] => JSON.parse(row.roles) as RoleKey[];

export function userJson(row: UserRow, secret?: string): UserJson {
  const active = row.active === 1;
  const json: UserJson = {
    id: row.id,
    accountId: row.account_id,
    createdDate: row.created_at,
    firstName: row.first_name,
    lastName: row.last_name,
    fullName: `${row.first_name} ${row.last_name}`.trim(),
    email: row.email,
    active,
    lastLoginDate: row.last_login_at ?? '1970-01-01T00:00:00Z',
    emailValid: true,
    accountExpired: false,
    accountLocked: !active,
    credentialsExpired: false,
    accountNonExpired: true,
    credentialsNonExpired: true,
    accountNonLocked: active,
    enabled: active,
    roles: rolesOf(row).map((key) => ({ key })),
  };
  if (secret !== undefined) json.secret = secret;
  return json;
}

import { writeFileSync, mkdirSync, chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapConfig } from '../platform/config.ts';
import { ApiError } from '../platform/errors.ts';
import type { TenancyService } from './tenancy-service.ts';

export interface BootstrapSecrets {
  organizationId: number;
  organizationSecret: string;
  userSecret: string;
  adminEmail: string;
  adminPassword: string;
}

export const bootstrapPath = (dataDir: string): string => join(dataDir, 'bootstrap.json');

/**
 * On an empty store, creates the first organization, its default account and an admin user,
 * and writes their secrets to `<dataDir>/bootstrap.json` (0600). Values pinned through the
 * environment are used as given. When several processes start at once against one database,
 * the ones that lose the race see the conflict and return nothing.
 */
export async function bootstrapIfEmpty(tenancy: TenancyService, pinned: BootstrapConfig, dataDir: string): Promise<BootstrapSecrets | undefined> {
  if ((await tenancy.countOrganizations()) > 0) return undefined;
  let created: Awaited<ReturnType<TenancyService['createOrganization']>>;
  try {
    created = await tenancy.createOrganization({
      name: 'Default Organization',
      adminEmail: pinned.adminEmail ?? 'admin@switchboard.local',
      adminPassword: pinned.adminPassword,
      organizationSecret: pinned.organizationSecret,
      userSecret: pinned.userSecret,
    });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'CONFLICT' && (await tenancy.countOrganizations()) > 0) return undefined;
    throw err;
  }
  const secrets: BootstrapSecrets = {
    organizationId: created.organization.id,
    organizationSecret: created.organizationSecret,
    userSecret: created.userSecret,
    adminEmail: created.user.email,
    adminPassword: created.adminPassword,
  };
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${bootstrapPath(dataDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, bootstrapPath(dataDir));
  return secrets;
}

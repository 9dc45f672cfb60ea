import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.ts';
import { m0001Tenancy } from './migrations/0001-tenancy.ts';
import { m0002Instances } from './migrations/0002-instances.ts';
import { m0003JobsAndEvents } from './migrations/0003-jobs-and-events.ts';
import { m0004Transformations } from './migrations/0004-transformations.ts';
import { m0005JobSingletons } from './migrations/0005-job-singletons.ts';
import { m0006InstanceTags } from './migrations/0006-instance-tags.ts';
import { m0007DeliveryUrlSealed } from './migrations/0007-delivery-url-sealed.ts';
import { m0008Usage } from './migrations/0008-usage.ts';
import { m0009VendorTraces } from './migrations/0009-vendor-traces.ts';
import { m0010BulkJobs } from './migrations/0010-bulk-jobs.ts';
import { m0011BulkImports } from './migrations/0011-bulk-imports.ts';
import { m0012BulkCallbackQueued } from './migrations/0012-bulk-callback-queued.ts';
import { m0013ScheduledJobs } from './migrations/0013-scheduled-jobs.ts';
import { m0014PasswordPolicy } from './migrations/0014-password-policy.ts';
import { m0015AccountSettings } from './migrations/0015-account-settings.ts';
import { m0016Notifications } from './migrations/0016-notifications.ts';
import { m0017WebhookRemovals } from './migrations/0017-webhook-removals.ts';

/** Migrations are listed in code (not discovered on disk) so a bundled build cannot miss one. */
const migrations: Record<string, Migration> = {
  '0001-tenancy': m0001Tenancy,
  '0002-instances': m0002Instances,
  '0003-jobs-and-events': m0003JobsAndEvents,
  '0004-transformations': m0004Transformations,
  '0005-job-singletons': m0005JobSingletons,
  '0006-instance-tags': m0006InstanceTags,
  '0007-delivery-url-sealed': m0007DeliveryUrlSealed,
  '0008-usage': m0008Usage,
  '0009-vendor-traces': m0009VendorTraces,
  '0010-bulk-jobs': m0010BulkJobs,
  '0011-bulk-imports': m0011BulkImports,
  '0012-bulk-callback-queued': m0012BulkCallbackQueued,
  '0013-scheduled-jobs': m0013ScheduledJobs,
  '0014-password-policy': m0014PasswordPolicy,
  '0015-account-settings': m0015AccountSettings,
  '0016-notifications': m0016Notifications,
  '0017-webhook-removals': m0017WebhookRemovals,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Brings the schema to the latest version. Safe to run from several processes at once: Kysely takes a lock. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

import type { Kysely, Migration } from 'kysely';
import { idColumn } from './id-column.ts';

export const m0002Instances: Migration = {
  async up(db: Kysely<any>) {
    await idColumn(db, db.schema.createTable('instances'))
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('element_key', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('token_enc', 'text', (c) => c.notNull())
      .addColumn('configuration_enc', 'text', (c) => c.notNull())
      .addColumn('provider_data_enc', 'text')
      .addColumn('vendor_meta', 'text', (c) => c.notNull())
      .addColumn('valid', 'integer', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull())
      .addColumn('events_enabled', 'integer', (c) => c.notNull())
      .addColumn('trace_logging_enabled', 'integer', (c) => c.notNull())
      .addColumn('caching_enabled', 'integer', (c) => c.notNull())
      .addColumn('max_cache_size', 'integer', (c) => c.notNull())
      .addColumn('cache_time_to_live', 'integer', (c) => c.notNull())
      .addColumn('external_authentication', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('instances_org').on('instances').columns(['organization_id', 'account_id']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('instances').execute();
  },
};

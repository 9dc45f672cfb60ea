import type { Kysely, Migration } from 'kysely';

/** An account's settings (`/accounts/{id}/settings`), as JSON; null for the defaults. */
export const m0015AccountSettings: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('accounts').addColumn('settings', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('accounts').dropColumn('settings').execute();
  },
};

import type { Kysely, Migration } from 'kysely';

/** An organization's password rules (`PUT /organizations/password-policies`), as JSON; null for the default. */
export const m0014PasswordPolicy: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('organizations').addColumn('password_policy', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('organizations').dropColumn('password_policy').execute();
  },
};

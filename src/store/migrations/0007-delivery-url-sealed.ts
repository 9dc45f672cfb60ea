import type { Kysely, Migration } from 'kysely';

/**
 * A callback URL may carry credentials (`https://user:password@host/cb`). From here on
 * `deliveries.url` holds the URL as shown, user info masked, and `url_enc` the whole URL sealed
 * under the master key, for sending. Rows written before keep their URL until the repository
 * seals them at the next start (`EventRepository.sealPlainDeliveryUrls`), which needs the key
 * that a migration does not have.
 */
export const m0007DeliveryUrlSealed: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('deliveries').addColumn('url_enc', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('deliveries').dropColumn('url_enc').execute();
  },
};

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { HubInstance } from '../hubs/hub-contract.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Alongside } from '../store/alongside.ts';
import { AAD } from '../store/encrypted-columns.ts';
import type { Database } from '../store/tables.ts';

/** A vendor webhook of a deleted instance, still to remove. */
export interface WebhookRemoval {
  id: string;
  organizationId: number;
  elementKey: string;
  vendorWebhookId: string;
  /** The deleted instance as its element saw it: what the vendor call needs. */
  instance: HubInstance;
  attempts: number;
  createdAt: string;
}

export type NewWebhookRemoval = Omit<WebhookRemoval, 'id' | 'createdAt'> & {
  /** Why the attempts made so far failed; null when none was made. */
  lastError: string | null;
  nextAttemptAt: Date;
  now: Date;
};

/**
 * SQL for the webhook removals that wait for their vendor. The deleted instance's configuration
 * (its credentials) is sealed and opened here and only here.
 */
export class WebhookRemovalRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /** Stores a removal, and queues the job that attempts it `alongside` in the same transaction; answers its id. */
  async add(removal: NewWebhookRemoval, alongside: (id: string) => Alongside): Promise<string> {
    const id = randomBytes(12).toString('hex');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_removals')
        .values({
          id,
          organization_id: removal.organizationId,
          instance_id: removal.instance.id,
          element_key: removal.elementKey,
          vendor_webhook_id: removal.vendorWebhookId,
          context_enc: this.box.cipher.encrypt(JSON.stringify(removal.instance), AAD.webhookRemovalContext(id)),
          attempts: removal.attempts,
          next_attempt_at: removal.nextAttemptAt.toISOString(),
          last_error: removal.lastError,
          created_at: removal.now.toISOString(),
        })
        .execute();
      await alongside(id)(trx);
    });
    return id;
  }

  async find(id: string): Promise<WebhookRemoval | undefined> {
    const row = await this.db.selectFrom('webhook_removals').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      organizationId: row.organization_id,
      elementKey: row.element_key,
      vendorWebhookId: row.vendor_webhook_id,
      instance: JSON.parse(this.box.cipher.decrypt(row.context_enc, AAD.webhookRemovalContext(row.id))) as HubInstance,
      attempts: row.attempts,
      createdAt: row.created_at,
    };
  }

  /** Records a failed attempt, and queues the next one `alongside` in the same transaction. */
  async failed(id: string, attempts: number, nextAttemptAt: Date, error: string, alongside: Alongside): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('webhook_removals')
        .set({ attempts, next_attempt_at: nextAttemptAt.toISOString(), last_error: error })
        .where('id', '=', id)
        .execute();
      await alongside(trx);
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('webhook_removals').where('id', '=', id).execute();
  }

  /** Removals whose attempt was due before `before`: their job was lost (its process died, the database failed it). */
  async overdue(before: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhook_removals')
      .select('id')
      .where('next_attempt_at', '<', before.toISOString())
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }
}

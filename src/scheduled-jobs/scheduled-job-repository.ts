import type { Kysely, Selectable } from 'kysely';
import { type KeysetPosition, newestFirst } from '../store/keyset.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Alongside } from '../store/alongside.ts';
import { AAD } from '../store/encrypted-columns.ts';
import type { Database, ScheduledJobTable } from '../store/tables.ts';

/** What a job calls, as stored (encrypted): credentials among its headers, and an instance token. */
export interface ScheduledCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path of this API, with any query the client wrote into it. */
  uri: string;
  query: Record<string, string>;
  body?: unknown;
  /** As given; an `Authorization` among them is used as it is. */
  headers: Record<string, string>;
  /** The `Element` token of the request that made the job, added to its user's secrets at each fire. */
  elementToken?: string;
}

type Row = Selectable<ScheduledJobTable>;
export type ScheduledJob = Omit<Row, 'call_enc'> & { call: ScheduledCall };

/** Whose jobs a caller sees: the organization's, or one account's. */
export interface JobScope {
  organizationId: number;
  accountId?: number | undefined;
}

/** Scheduled jobs; their calls are encrypted here and nowhere else. */
export class ScheduledJobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /** Stores a new job; `alongside` runs in the same transaction (it queues the first fire). */
  async create(
    job: Omit<ScheduledJob, 'last_fire_at' | 'last_status' | 'last_request_id' | 'last_error' | 'last_finished_at'>,
    alongside: Alongside,
  ): Promise<void> {
    const { call, ...row } = job;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('scheduled_jobs')
        .values({
          ...row,
          call_enc: this.box.cipher.encrypt(JSON.stringify(call), AAD.scheduledCall(job.id)),
          last_fire_at: null,
          last_status: null,
          last_request_id: null,
          last_error: null,
          last_finished_at: null,
        })
        .execute();
      await alongside(trx);
    });
  }

  async countIn(organizationId: number): Promise<number> {
    const row = await this.db
      .selectFrom('scheduled_jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One job, within `scope` when given (a worker reads any). */
  async find(id: string, scope?: JobScope): Promise<ScheduledJob | undefined> {
    const row = await this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('id', '=', id)
      .$if(scope !== undefined, (q) => q.where('organization_id', '=', scope!.organizationId))
      .$if(scope?.accountId !== undefined, (q) => q.where('account_id', '=', scope!.accountId!))
      .executeTakeFirst();
    return row && this.#opened(row);
  }

  /** A page of the scope's jobs, newest first, after the keyset `after`; only this page is decrypted. */
  async list(scope: JobScope, limit: number, after?: KeysetPosition): Promise<ScheduledJob[]> {
    const rows = await newestFirst(
      this.db
        .selectFrom('scheduled_jobs')
        .selectAll()
        .where('organization_id', '=', scope.organizationId)
        .$if(scope.accountId !== undefined, (q) => q.where('account_id', '=', scope.accountId!)),
      after,
    )
      .limit(limit)
      .execute();
    return rows.map((r) => this.#opened(r));
  }

  async delete(id: string, scope: JobScope): Promise<boolean> {
    const res = await this.db
      .deleteFrom('scheduled_jobs')
      .where('id', '=', id)
      .where('organization_id', '=', scope.organizationId)
      .$if(scope.accountId !== undefined, (q) => q.where('account_id', '=', scope.accountId!))
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Claims the fire at `fireAt`: moves the job on to `next` and marks the fire as running. False
   * when another worker claimed it first, or the job was deleted.
   */
  async claimFire(id: string, fireAt: string, next: string | null): Promise<boolean> {
    const res = await this.db
      .updateTable('scheduled_jobs')
      .set({ next_fire_at: next, last_fire_at: fireAt, last_status: null, last_request_id: null, last_error: null, last_finished_at: null })
      .where('id', '=', id)
      .where('next_fire_at', '=', fireAt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The outcome of the fire at `fireAt`; kept only while no later fire has started. */
  async fireDone(
    id: string,
    fireAt: string,
    outcome: { status: number | null; requestId: string | null; error: string | null; finishedAt: string },
  ): Promise<void> {
    await this.db
      .updateTable('scheduled_jobs')
      .set({ last_status: outcome.status, last_request_id: outcome.requestId, last_error: outcome.error, last_finished_at: outcome.finishedAt })
      .where('id', '=', id)
      .where('last_fire_at', '=', fireAt)
      .execute();
  }

  /** Jobs whose next fire is before `before`: due, or overdue because their queued fire was lost. */
  async dueBefore(before: string, limit: number): Promise<{ id: string; next_fire_at: string }[]> {
    const rows = await this.db
      .selectFrom('scheduled_jobs')
      .select(['id', 'next_fire_at'])
      .where('next_fire_at', '<', before)
      .orderBy('next_fire_at')
      .limit(limit)
      .execute();
    return rows as { id: string; next_fire_at: string }[];
  }

  #opened(row: Row): ScheduledJob {
    const { call_enc, ...rest } = row;
    return { ...rest, call: JSON.parse(this.box.cipher.decrypt(call_enc, AAD.scheduledCall(row.id))) as ScheduledCall };
  }
}

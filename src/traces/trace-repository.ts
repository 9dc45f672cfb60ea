import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, VendorTraceTable } from '../store/tables.ts';

export type TraceRow = Selectable<VendorTraceTable>;
export type NewTrace = Insertable<VendorTraceTable>;

/** Who may read: an organization, and within it one account for a user outside the default one. */
export interface TraceScope {
  organizationId: number;
  accountId?: number | undefined;
}

/** A trace id: the row id, as digits. */
export const isTraceId = (text: string) => /^\d{1,18}$/.test(text);

const INSERT_CHUNK = 100;

export class TraceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes one batch in one transaction: stored whole or not at all, as the writer reports it. */
  async insert(rows: readonly NewTrace[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await trx
          .insertInto('vendor_traces')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
    });
  }

  #scoped(scope: TraceScope) {
    return this.db
      .selectFrom('vendor_traces')
      .selectAll()
      .where('organization_id', '=', scope.organizationId)
      .$if(scope.accountId !== undefined, (q) => q.where('account_id', '=', scope.accountId!));
  }

  /** An instance's traces, newest first; `beforeId` continues after the last row of the previous page. */
  async forInstance(scope: TraceScope, instanceId: number, limit: number, beforeId?: string): Promise<TraceRow[]> {
    return this.#scoped(scope)
      .where('instance_id', '=', instanceId)
      .$if(beforeId !== undefined, (q) => q.where('id', '<', Number(beforeId)))
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** The traces of one API call, in the order its calls were made. */
  async forRequest(scope: TraceScope, requestId: string): Promise<TraceRow[]> {
    return this.#scoped(scope).where('request_id', '=', requestId).orderBy('id', 'asc').limit(1000).execute();
  }

  /** Deletes up to `limit` traces older than `before`; returns how many. */
  async deleteBefore(before: string, limit: number): Promise<number> {
    const res = await this.db
      .deleteFrom('vendor_traces')
      .where('id', 'in', (eb) => eb.selectFrom('vendor_traces').select('id').where('created_at', '<', before).orderBy('id').limit(limit))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Organizations whose traces hold more than `bytes`. */
  async organizationsOver(bytes: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('vendor_traces')
      .select('organization_id')
      .groupBy('organization_id')
      .having((eb) => eb.fn.sum<number | string>('bytes'), '>', bytes)
      .execute();
    return rows.map((r) => r.organization_id);
  }

  /**
   * Deletes an organization's oldest traces until the rest hold at most `bytes`: the newest are
   * summed, a page at a time by its index, until one more would pass the cap; that one and
   * everything older go.
   */
  async keepNewest(organizationId: number, bytes: number): Promise<number> {
    let sum = 0;
    let before: number | undefined;
    for (;;) {
      const page = await this.db
        .selectFrom('vendor_traces')
        .select(['id', 'bytes'])
        .where('organization_id', '=', organizationId)
        .$if(before !== undefined, (q) => q.where('id', '<', before!))
        .orderBy('id', 'desc')
        .limit(1000)
        .execute();
      if (page.length === 0) return 0;
      for (const row of page) {
        sum += row.bytes;
        if (sum > bytes) {
          const res = await this.db
            .deleteFrom('vendor_traces')
            .where('organization_id', '=', organizationId)
            .where('id', '<=', Number(row.id))
            .executeTakeFirst();
          return Number(res.numDeletedRows);
        }
      }
      before = Number(page.at(-1)!.id);
    }
  }
}

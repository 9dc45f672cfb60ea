import { CompiledQuery, type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { deleteInBatchesByOrganization } from '../store/batched-delete.ts';
import type { Dialect } from '../store/db.ts';
import type { Database, UsageTable } from '../store/tables.ts';

export type UsageRow = Selectable<UsageTable> & { organization_name: string };
export type NewUsage = Insertable<UsageTable>;

/** What a caller may see and asked for (`GET /usage`). */
export interface UsageFilter {
  organizationId: number;
  /** Set for a user outside the default account: only their account's calls. */
  accountId?: number | undefined;
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
  hub?: string | undefined;
  instanceId?: number | undefined;
  elementKeys?: readonly string[] | undefined;
  /** Calls to instances that carry any of these tags. */
  tags?: readonly string[] | undefined;
  status?: 'success' | 'failed' | undefined;
  searchText?: string | undefined;
}

/** A position in the newest-first order: the last row of the previous page (its id as digits). */
export interface UsageCursor {
  date: string;
  id: string;
}

/** A traffic id: the row id, as digits. */
export const isTrafficId = (text: string) => /^\d{1,18}$/.test(text);

/**
 * Rows in one insert: a batch goes as inserts of 128, 64, … 1 rows, so that only eight SQL texts
 * exist and each keeps its prepared statement (a statement per batch size would take ~30 MB).
 */
const LARGEST_INSERT = 128;
/** The columns an insert writes, in its order (the id is generated). */
const COLUMNS = [
  'request_id',
  'organization_id',
  'account_id',
  'user_id',
  'instance_id',
  'element_key',
  'hub',
  'method',
  'route',
  'request_uri',
  'status',
  'process_time_ms',
  'vendor_calls',
  'vendor_time_ms',
  'request_ip',
  'usage_date',
] as const satisfies readonly (keyof NewUsage)[];
/** `%`, `_` and the escape itself match literally in a search. */
const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class UsageRepository {
  /** Insert statements by row count (a power of two): a record is written for every API call, so the SQL is built once. */
  readonly #inserts = new Map<number, string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  #insertSql(rows: number): string {
    let text = this.#inserts.get(rows);
    if (text === undefined) {
      let n = 0;
      const placeholder = () => (this.dialect === 'postgres' ? `$${++n}` : '?');
      const tuple = () => `(${COLUMNS.map(placeholder).join(', ')})`;
      text = `insert into "usage" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
      this.#inserts.set(rows, text);
    }
    return text;
  }

  /**
   * Writes one batch in one transaction: it is stored whole or not at all (the writer reports
   * every row of a failed batch as lost), and the database commits once rather than once per
   * statement.
   */
  async insert(rows: readonly NewUsage[]): Promise<void> {
    const statements: CompiledQuery[] = [];
    for (let i = 0; i < rows.length; ) {
      let size = LARGEST_INSERT;
      while (size > rows.length - i) size /= 2;
      // One flat array, filled in place: a record is written for every API call.
      const parameters = new Array<NewUsage[keyof NewUsage] | null>(size * COLUMNS.length);
      let p = 0;
      for (let r = i; r < i + size; r++) for (const c of COLUMNS) parameters[p++] = rows[r]![c] ?? null;
      i += size;
      statements.push(CompiledQuery.raw(this.#insertSql(size), parameters));
    }
    if (statements.length === 1) await this.db.executeQuery(statements[0]!);
    else if (statements.length > 1)
      await this.db.transaction().execute(async (trx) => {
        for (const statement of statements) await trx.executeQuery(statement);
      });
  }

  #filtered(f: UsageFilter) {
    return this.db
      .selectFrom('usage')
      .where('usage.organization_id', '=', f.organizationId)
      .$if(f.accountId !== undefined, (q) => q.where('usage.account_id', '=', f.accountId!))
      .where('usage.usage_date', '>=', f.from)
      .where('usage.usage_date', '<', f.to)
      .$if(f.hub !== undefined, (q) => q.where('usage.hub', '=', f.hub!))
      .$if(f.instanceId !== undefined, (q) => q.where('usage.instance_id', '=', f.instanceId!))
      .$if(f.elementKeys !== undefined, (q) => q.where('usage.element_key', 'in', f.elementKeys!.length ? [...f.elementKeys!] : ['']))
      .$if(f.tags !== undefined, (q) =>
        q.where('usage.instance_id', 'in', (eb) =>
          eb
            .selectFrom('instance_tags')
            .innerJoin('instances', 'instances.id', 'instance_tags.instance_id')
            .select('instance_tags.instance_id')
            .where('instances.organization_id', '=', f.organizationId)
            .where('instance_tags.tag', 'in', f.tags!.length ? [...f.tags!] : ['']),
        ),
      )
      .$if(f.status === 'success', (q) => q.where('usage.status', '<', 400))
      .$if(f.status === 'failed', (q) => q.where('usage.status', '>=', 400))
      .$if(f.searchText !== undefined, (q) => q.where(sql<boolean>`usage.request_uri like ${likeLiteral(f.searchText!)} escape '\\'`));
  }

  /** Newest first; `after` continues from the last row of the previous page. */
  async page(f: UsageFilter, limit: number, offset: number, after?: UsageCursor): Promise<UsageRow[]> {
    return this.#filtered(f)
      .innerJoin('organizations', 'organizations.id', 'usage.organization_id')
      .selectAll('usage')
      .select('organizations.name as organization_name')
      .$if(after !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb('usage.usage_date', '<', after!.date), eb.and([eb('usage.usage_date', '=', after!.date), eb('usage.id', '<', Number(after!.id))])]),
        ),
      )
      .orderBy('usage.usage_date', 'desc')
      .orderBy('usage.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  /** One record by its traffic id or its request id, within the caller's scope. */
  async find(organizationId: number, accountId: number | undefined, idOrRequestId: string): Promise<UsageRow | undefined> {
    return (
      this.db
        .selectFrom('usage')
        .innerJoin('organizations', 'organizations.id', 'usage.organization_id')
        .selectAll('usage')
        .select('organizations.name as organization_name')
        .where('usage.organization_id', '=', organizationId)
        .$if(accountId !== undefined, (q) => q.where('usage.account_id', '=', accountId!))
        // A traffic id is digits; a request id is compared as text only (a bigint column refuses other text).
        .where((eb) =>
          isTrafficId(idOrRequestId)
            ? eb.or([eb('usage.id', '=', Number(idOrRequestId)), eb('usage.request_id', '=', idOrRequestId)])
            : eb('usage.request_id', '=', idOrRequestId),
        )
        .executeTakeFirst()
    );
  }

  /** Calls per period (`hour`: `2026-11-30T10`, `day`: `2026-11-30`), by status and by instance. */
  async analytics(f: UsageFilter, interval: 'hour' | 'day') {
    const length = interval === 'hour' ? 13 : 10;
    return this.#filtered(f)
      .select([
        sql<string>`substr(usage.usage_date, 1, ${sql.lit(length)})`.as('period'),
        sql<string>`case when usage.status < 400 then 'success' else 'failed' end`.as('outcome'),
        'usage.instance_id',
        (eb) => eb.fn.countAll<number | string>().as('n'),
      ])
      .groupBy([sql`substr(usage.usage_date, 1, ${sql.lit(length)})`, sql`case when usage.status < 400 then 'success' else 'failed' end`, 'usage.instance_id'])
      .execute();
  }

  /**
   * Calls per period and the 95th percentile of their process time (nearest rank: the smallest
   * time at least 95 of 100 calls of the period do not exceed), ranked in SQL by a window.
   */
  async latency(f: UsageFilter, interval: 'hour' | 'day') {
    const length = interval === 'hour' ? 13 : 10;
    const ranked = this.#filtered(f).select([
      sql<string>`substr(usage.usage_date, 1, ${sql.lit(length)})`.as('period'),
      'usage.process_time_ms as ms',
      sql<number>`row_number() over (partition by substr(usage.usage_date, 1, ${sql.lit(length)}) order by usage.process_time_ms)`.as('rank'),
      sql<number>`count(*) over (partition by substr(usage.usage_date, 1, ${sql.lit(length)}))`.as('n'),
    ]);
    return this.db
      .selectFrom(ranked.as('ranked'))
      .select(['period', (eb) => eb.fn.min<number>('ms').as('p95'), (eb) => eb.fn.max<number | string>('n').as('n')])
      .where(sql<boolean>`rank * 100 >= n * 95`)
      .groupBy('period')
      .orderBy('period')
      .execute();
  }

  /** Calls of the organization to one element since a date: the element's `traffic`. */
  async countForElement(organizationId: number, elementKey: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom('usage')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('element_key', '=', elementKey)
      .where('usage_date', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes the records older than `before`, organization by organization, `batch` a statement (by the date index); returns how many. */
  deleteBefore(before: string, batch: number): Promise<number> {
    return deleteInBatchesByOrganization(
      this.db,
      async (organizationId, limit) => {
        const res = await this.db
          .deleteFrom('usage')
          .where('id', 'in', (eb) =>
            eb.selectFrom('usage').select('id').where('organization_id', '=', organizationId).where('usage_date', '<', before).limit(limit),
          )
          .executeTakeFirst();
        return Number(res.numDeletedRows);
      },
      batch,
    );
  }
}

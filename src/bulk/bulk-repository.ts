import { once } from 'node:events';
import { promisify } from 'node:util';
import { createDeflateRaw, deflateRaw, inflateRaw } from 'node:zlib';
import type { Kysely, Selectable } from 'kysely';
import { type KeysetPosition, newestFirst } from '../store/keyset.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { Alongside } from '../store/alongside.ts';
import { AAD } from '../store/encrypted-columns.ts';
import type { BulkJobTable, Database } from '../store/tables.ts';

export type BulkJobRow = Selectable<BulkJobTable>;
export type BulkStatus = BulkJobTable['status'];

/** Who may see a job: the organization, and the instance whose token the caller used. */
export interface BulkScope {
  organizationId: number;
  instanceId: number;
}

const chunkId = (jobId: string, seq: number) => `${jobId}.${String(seq).padStart(9, '0')}`;
// zlib runs on libuv's thread pool: compressing and inflating chunks does not hold up the event loop.
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** A page of results as the lines of its records, compressed, before it is stored. */
export type CompressedPage = Buffer & { readonly __compressedPage: true };

/**
 * One page of results compressed for `appendPages` as `fill` writes its lines, a slice at a time:
 * the database writes (and the cipher encrypts) a fraction of the JSON's size. Written in slices,
 * the page's text never exists as one string. A page is a few hundred kilobytes, which V8 puts in
 * its large-object space, and an export made those faster than full collections freed them.
 * Undefined when `fill` wrote nothing.
 */
export async function compressPage(fill: (write: (lines: string) => Promise<void>) => Promise<void>): Promise<CompressedPage | undefined> {
  const deflate = createDeflateRaw();
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  // A zlib failure reaches the caller through the pending write's callback or the wait for
  // 'end'; without a listener the stream's 'error' event would also end the process.
  deflate.on('error', () => undefined);
  let written = false;
  // Resolves once zlib has taken the slice: one slice at a time waits, never the whole page.
  const write = (lines: string) =>
    lines === ''
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          written = true;
          deflate.write(lines, (err) => (err ? reject(err) : resolve()));
        });
  try {
    await fill(write);
  } catch (err) {
    // Frees zlib's native state now rather than when the stream is collected.
    deflate.destroy();
    throw err;
  }
  const ended = once(deflate, 'end');
  deflate.end();
  await ended;
  return written ? (Buffer.concat(out) as CompressedPage) : undefined;
}

/** Bulk jobs and their results; results are encrypted here and nowhere else. */
export class BulkRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /** Stores a new job; `alongside` runs in the same transaction (it queues the job's first step). */
  async create(
    job: Pick<BulkJobRow, 'id' | 'organization_id' | 'instance_id' | 'kind' | 'object_name' | 'query' | 'created_at'> & {
      identifierField?: string | undefined;
      callbackUrl?: string | undefined;
    },
    alongside: Alongside = async () => undefined,
  ): Promise<BulkJobRow> {
    const { identifierField, callbackUrl, ...row } = job;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('bulk_jobs')
        .values({
          ...row,
          status: 'CREATED',
          checkpoint: null,
          total_estimate: null,
          message: null,
          identifier_field: identifierField ?? null,
          callback_url_enc: callbackUrl === undefined ? null : this.box.cipher.encrypt(callbackUrl, AAD.bulkCallbackUrl(job.id)),
          updated_at: job.created_at,
          finished_at: null,
        })
        .execute();
      await alongside(trx);
    });
    return (await this.byId(job.id))!;
  }

  /** `Elements-Async-Callback-Url` of the job, decrypted. */
  callbackUrl(job: BulkJobRow): string | undefined {
    return job.callback_url_enc === null ? undefined : this.box.cipher.decrypt(job.callback_url_enc, AAD.bulkCallbackUrl(job.id));
  }

  /** Notes that the job's callback was handed to the job queue. */
  async markCallbackQueued(jobId: string, now: string): Promise<void> {
    await this.db.updateTable('bulk_jobs').set({ callback_queued_at: now }).where('id', '=', jobId).execute();
  }

  /** Jobs that ended before `endedBefore` with a callback URL whose callback was never queued (at most `limit`). */
  async callbacksNotQueued(endedBefore: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bulk_jobs')
      .select('id')
      .where('finished_at', '<', endedBefore)
      .where('callback_url_enc', 'is not', null)
      .where('callback_queued_at', 'is', null)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Stores one chunk of an import's uploaded rows (NDJSON lines), before the job runs. */
  async appendInput(jobId: string, seq: number, lines: string): Promise<void> {
    const id = chunkId(jobId, seq);
    const data = (await deflate(lines)).toString('base64');
    await this.db
      .insertInto('bulk_chunks')
      .values({ id, job_id: jobId, seq, data_enc: this.box.cipher.encrypt(data, AAD.bulkChunk(id)) })
      .execute();
  }

  /**
   * Marks an import's upload whole, with `alongside` (its first step queued) in the same
   * transaction: until then the job is an unfinished upload, which the retention deletes.
   */
  async inputStored(jobId: string, rows: number, chunks: number, now: string, alongside: Alongside): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('bulk_jobs').set({ total_estimate: rows, chunks, updated_at: now }).where('id', '=', jobId).execute();
      await alongside(trx);
    });
  }

  /** One chunk of a job, decrypted and inflated; undefined past the last. */
  async chunk(jobId: string, seq: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('bulk_chunks').select(['id', 'data_enc']).where('job_id', '=', jobId).where('seq', '=', seq).executeTakeFirst();
    if (!row) return undefined;
    return (await inflate(Buffer.from(this.box.cipher.decrypt(row.data_enc, AAD.bulkChunk(row.id)), 'base64'))).toString('utf8');
  }

  /** Removes a job that never ran (its upload was refused). */
  async delete(jobId: string): Promise<void> {
    await this.db.deleteFrom('bulk_jobs').where('id', '=', jobId).execute();
  }

  /**
   * Moves a running job's checkpoint from `expected` to `next` (JSON), unless it ended or another
   * run of it moved it first; returns whether it did. With `outcome`, the rows handled since
   * `expected` are counted and their errors stored in the same transaction, so a job resumed from
   * either checkpoint counts and records each row once.
   */
  async moveCheckpoint(
    jobId: string,
    expected: string | null,
    next: string,
    now: string,
    outcome?: { succeeded: number; errors: { row: number; data: string }[]; done: boolean },
  ): Promise<boolean> {
    const errors = outcome?.errors ?? [];
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('bulk_jobs')
        .set((eb) => ({
          status: outcome?.done ? 'COMPLETED' : 'RUNNING',
          checkpoint: next,
          updated_at: now,
          ...(outcome && {
            records_count: eb('records_count', '+', outcome.succeeded),
            records_failed_count: eb('records_failed_count', '+', errors.length),
          }),
          ...(outcome?.done && { finished_at: now }),
        }))
        .where('id', '=', jobId)
        .where((eb) => (expected === null ? eb('checkpoint', 'is', null) : eb('checkpoint', '=', expected)))
        .where('status', 'in', ['CREATED', 'RUNNING'])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      if (errors.length) {
        await trx
          .insertInto('bulk_errors')
          .values(
            errors.map((e) => {
              const id = `${jobId}.${String(e.row).padStart(9, '0')}`;
              return { id, job_id: jobId, row_number: e.row, data_enc: this.box.cipher.encrypt(e.data, AAD.bulkError(id)) };
            }),
          )
          .execute();
      }
      return true;
    });
  }

  /** An import's refused rows in row order, after row `afterRow`, decrypted (`{record, message, providerMessage?}` as JSON). */
  async errors(jobId: string, afterRow: number, limit: number): Promise<{ row: number; data: string }[]> {
    const rows = await this.db
      .selectFrom('bulk_errors')
      .select(['id', 'row_number', 'data_enc'])
      .where('job_id', '=', jobId)
      .where('row_number', '>', afterRow)
      .orderBy('row_number')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ row: r.row_number, data: this.box.cipher.decrypt(r.data_enc, AAD.bulkError(r.id)) }));
  }

  byId(id: string): Promise<BulkJobRow | undefined> {
    return this.db.selectFrom('bulk_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  find(scope: BulkScope, id: string): Promise<BulkJobRow | undefined> {
    return this.db
      .selectFrom('bulk_jobs')
      .selectAll()
      .where('id', '=', id)
      .where('organization_id', '=', scope.organizationId)
      .where('instance_id', '=', scope.instanceId)
      .executeTakeFirst();
  }

  /** The instance's jobs, newest first; `after` continues from the last job of the previous page. */
  list(scope: BulkScope, limit: number, after?: KeysetPosition): Promise<BulkJobRow[]> {
    return newestFirst(
      this.db.selectFrom('bulk_jobs').selectAll().where('organization_id', '=', scope.organizationId).where('instance_id', '=', scope.instanceId),
      after,
    )
      .limit(limit)
      .execute();
  }

  /**
   * Stores pages of results and the position after the last of them in one transaction, unless
   * the job was cancelled or moved on meanwhile (`expectedChunks`): pages are stored once or not
   * at all. Returns whether they were stored.
   */
  async appendPages(
    jobId: string,
    expectedChunks: number,
    batch: { pages: CompressedPage[]; records: number; checkpoint: unknown; totalEstimate?: number | undefined; done: boolean },
    now: string,
  ): Promise<boolean> {
    const pages = batch.pages.map((p) => p.toString('base64'));
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('bulk_jobs')
        .set((eb) => ({
          status: batch.done ? 'COMPLETED' : 'RUNNING',
          chunks: eb('chunks', '+', pages.length),
          records_count: eb('records_count', '+', batch.records),
          checkpoint: JSON.stringify(batch.checkpoint),
          ...(batch.totalEstimate !== undefined && { total_estimate: batch.totalEstimate }),
          updated_at: now,
          ...(batch.done && { finished_at: now }),
        }))
        .where('id', '=', jobId)
        .where('chunks', '=', expectedChunks)
        .where('status', 'in', ['CREATED', 'RUNNING'])
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      if (pages.length) {
        await trx
          .insertInto('bulk_chunks')
          .values(
            pages.map((lines, i) => {
              const id = chunkId(jobId, expectedChunks + i);
              return { id, job_id: jobId, seq: expectedChunks + i, data_enc: this.box.cipher.encrypt(lines, AAD.bulkChunk(id)) };
            }),
          )
          .execute();
      }
      return true;
    });
  }

  /** Ends a job that has not ended yet; returns whether it did. */
  async finish(jobId: string, status: 'FAILED' | 'CANCELLED', message: string | null, now: string): Promise<boolean> {
    const res = await this.db
      .updateTable('bulk_jobs')
      .set({ status, message, updated_at: now, finished_at: now })
      .where('id', '=', jobId)
      .where('status', 'in', ['CREATED', 'RUNNING'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** The job's result pages in order, decrypted and inflated one at a time as the reader asks for them. */
  async *chunks(jobId: string): AsyncGenerator<string> {
    for (let seq = 0; ; seq++) {
      const chunk = await this.chunk(jobId, seq);
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /**
   * Deletes jobs (and their data) that ended before `before`, and imports whose upload began
   * before `uploadsBefore` and never finished or never started (its process died while it read
   * the file, or its first step could not be queued and dropping it failed too); returns how many.
   */
  async deleteEndedBefore(before: string, uploadsBefore: string): Promise<number> {
    const res = await this.db
      .deleteFrom('bulk_jobs')
      .where((eb) =>
        eb.or([
          eb('finished_at', '<', before),
          eb.and([eb('kind', '=', 'import'), eb('status', '=', 'CREATED'), eb('total_estimate', 'is', null), eb('created_at', '<', uploadsBefore)]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

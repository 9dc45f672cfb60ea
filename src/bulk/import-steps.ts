import type { BulkImporter, BulkImportRow, HubContext } from '../hubs/hub-contract.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { Clock } from '../platform/clock.ts';
import { ApiError, badRequest, rejectsCredentials } from '../platform/errors.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import { type CompiledTransformation, getPath, parsePath } from '../transformations/mapping.ts';
import type { BulkJobRow, BulkRepository } from './bulk-repository.ts';
import { describe, withRetries } from './vendor-attempts.ts';

/** Uploaded rows stored per chunk. */
export const IMPORT_CHUNK_ROWS = 100;
/**
 * A batch (the rows between two checkpoints) is sized to take about this long: a cancel is seen
 * within one batch, and each batch ends with a pause while its slowest rows finish and the
 * checkpoint is stored, which a fast vendor would otherwise feel at every few rows.
 */
const BATCH_MS = 500;
/** Rows per worker in a batch: the first batch's, and the bounds of the rest. */
const FIRST_ROWS_PER_WORKER = 5;
const MIN_ROWS_PER_WORKER = 2;
const MAX_ROWS_PER_WORKER = 100;

/**
 * Where an import goes on: `row` rows are done (counted, their errors stored). `sent`, while a
 * batch runs, is the batch's end and when it began: a process that dies then leaves it, and the
 * next run asks the element which of the batch's rows it created before sending them again.
 */
interface ImportCheckpoint {
  row: number;
  sent?: { to: number; since: string };
}

export interface ImportStepsDeps {
  jobs: BulkRepository;
  transformations: TransformationService;
  clock: Clock;
  /** Rows written to the vendor at the same time (SWITCHBOARD_BULK_IMPORT_CONCURRENCY). */
  concurrency: number;
}

/** Ends the step: the job ended, was cancelled, or another run of it moved on. */
type StepEnd = 'ended' | 'stopped';

/**
 * A failure that ends the job: the vendor refused the credentials or the permission (every row
 * would be refused alike), or would not say which rows of an interrupted batch exist.
 */
class Fatal extends Error {
  constructor(readonly reason: unknown) {
    super('fatal');
  }
}

/**
 * The rows of an import, written to the vendor in batches of bounded concurrency. A batch is
 * announced (`sent`) before its first write and counted, with its refused rows, in the
 * transaction that moves the checkpoint past it: a killed process leaves at most one batch
 * unsettled, and the next run creates none of its rows twice.
 */
export class ImportSteps {
  constructor(private readonly deps: ImportStepsDeps) {}

  /** Runs batches until `until`; resolves to 'more' when the job has rows left. */
  async run(first: BulkJobRow, instance: Instance, importer: BulkImporter, context: HubContext, until: number): Promise<StepEnd | 'more'> {
    const transformation = await this.deps.transformations.resolve(instance, first.object_name);
    const total = first.total_estimate ?? 0;
    const rows = new StoredRows(this.deps.jobs, first.id);
    let rowsPerWorker = FIRST_ROWS_PER_WORKER;
    let expected = first.checkpoint;
    let at: ImportCheckpoint = expected === null ? { row: 0 } : (JSON.parse(expected) as ImportCheckpoint);
    for (;;) {
      const from = at.row;
      let to: number;
      let since: string;
      let done: Map<string, string>;
      if (at.sent) {
        ({ to, since } = at.sent);
        const markers = range(from, to).map((i) => markerOf(first.id, i));
        try {
          done = await withRetries(() => importer.created(markers, since, context));
        } catch (err) {
          // Without knowing which rows exist, sending them again could create them twice.
          throw new Fatal(err);
        }
      } else {
        to = Math.min(total, from + this.deps.concurrency * rowsPerWorker);
        since = this.deps.clock.now().toISOString();
        const sent = JSON.stringify({ row: from, sent: { to, since } } satisfies ImportCheckpoint);
        if (!(await this.deps.jobs.moveCheckpoint(first.id, expected, sent, since))) return 'stopped';
        expected = sent;
        done = new Map();
      }
      const started = Date.now();
      const outcome = await this.#batch(first, { from, to, since, done }, { rows, importer, context, transformation });
      // The next batch is sized by how fast this one went.
      const msPerRow = (Date.now() - started) / Math.max(1, (to - from) / this.deps.concurrency);
      rowsPerWorker = Math.round(Math.min(MAX_ROWS_PER_WORKER, Math.max(MIN_ROWS_PER_WORKER, BATCH_MS / Math.max(msPerRow, 0.1))));
      const next = JSON.stringify({ row: to } satisfies ImportCheckpoint);
      const ended = to >= total;
      if (!(await this.deps.jobs.moveCheckpoint(first.id, expected, next, this.deps.clock.now().toISOString(), { ...outcome, done: ended }))) return 'stopped';
      if (ended) return 'ended';
      expected = next;
      at = { row: to };
      if (Date.now() >= until) return 'more';
    }
  }

  /** Writes rows `from`..`to` (0-based), `concurrency` at a time; rows in `done` were created by an earlier run. */
  async #batch(
    job: BulkJobRow,
    rowsOf: { from: number; to: number; since: string; done: Map<string, string> },
    on: { rows: StoredRows; importer: BulkImporter; context: HubContext; transformation: CompiledTransformation | undefined },
  ): Promise<{ succeeded: number; errors: { row: number; data: string }[] }> {
    let next = rowsOf.from;
    let succeeded = 0;
    let fatal: Fatal | undefined;
    const errors: { row: number; data: string }[] = [];
    const worker = async () => {
      while (next < rowsOf.to && !fatal) {
        const i = next++;
        const marker = markerOf(job.id, i);
        if (rowsOf.done.has(marker)) {
          succeeded++;
          continue;
        }
        const record = JSON.parse(await on.rows.line(i)) as unknown;
        try {
          if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new ApiError('BAD_REQUEST', `Row ${i + 1} is not a JSON object`);
          const vendor = (on.transformation ? this.deps.transformations.write(on.transformation, record) : record) as Record<string, unknown>;
          const row = { record: vendor, identifier: identifierOf(vendor, job.identifier_field, i), marker };
          // A write whose answer was lost may have gone through: it is looked for before it is sent again.
          const found = async () => ((await on.importer.created([marker], rowsOf.since, on.context)).has(marker) ? true : undefined);
          await withRetries(() => on.importer.write(row, on.context).then(() => true), found);
          succeeded++;
        } catch (err) {
          if (rejectsCredentials(err) || forbids(err)) fatal ??= new Fatal(err);
          else errors.push({ row: i + 1, data: JSON.stringify({ record, ...describe(err) }) });
        }
      }
    };
    await Promise.all(Array.from({ length: this.deps.concurrency }, worker));
    if (fatal) throw fatal;
    return { succeeded, errors: errors.sort((a, b) => a.row - b.row) };
  }
}

/** The error a batch failed with when the job must fail (see `Fatal`), else undefined. */
export const fatalCause = (err: unknown): unknown => (err instanceof Fatal ? err.reason : undefined);

/** A 403: the vendor refuses this user the work; every other row would be refused alike. */
const forbids = (err: unknown) => err instanceof ApiError && err.status === 403;

/** The record's value of the job's identifier field: none (the row creates), a string or a number. */
function identifierOf(record: Record<string, unknown>, field: string | null, index: number): BulkImportRow['identifier'] {
  if (field === null) return undefined;
  const value = getPath(record, parsePath(field));
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw badRequest(`Row ${index + 1}: the identifier ${field} must be a string or a number`);
  return { field, value };
}

const markerOf = (jobId: string, index: number) => `${jobId}.${index + 1}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** The stored rows of an import, one chunk in memory at a time (two while workers straddle chunks). */
class StoredRows {
  readonly #chunks = new Map<number, Promise<string[]>>();

  constructor(
    private readonly jobs: BulkRepository,
    private readonly jobId: string,
  ) {}

  async line(index: number): Promise<string> {
    const seq = Math.floor(index / IMPORT_CHUNK_ROWS);
    let chunk = this.#chunks.get(seq);
    if (!chunk) {
      for (const old of this.#chunks.keys()) if (old < seq - 1) this.#chunks.delete(old);
      chunk = this.jobs.chunk(this.jobId, seq).then((text) => {
        if (text === undefined) throw new Error(`Bulk job ${this.jobId} lost its rows at chunk ${seq}`);
        return text.split('\n');
      });
      this.#chunks.set(seq, chunk);
    }
    return (await chunk)[index % IMPORT_CHUNK_ROWS]!;
  }
}

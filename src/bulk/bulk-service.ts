import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CeqlError } from '../ceql/ast.ts';
import { parseSelect, type SelectQuery } from '../ceql/select.ts';
import { stripsNulls } from '../elements/platform-configuration.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { BulkExporter, BulkExportPage, BulkImporter, HubContext } from '../hubs/hub-contract.ts';
import { shape, stringifyWithoutNulls } from '../hubs/response-shaping.ts';
import type { Instance, InstanceRepository } from '../instances/instance-repository.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Clock } from '../platform/clock.ts';
import { ApiError, badRequest, rejectsCredentials } from '../platform/errors.ts';
import { ownValue } from '../platform/own-properties.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import { type CompiledTransformation, getPath, isPlacePath, parsePath, setPath } from '../transformations/mapping.ts';
import type { BulkCallbacks } from './bulk-callbacks.ts';
import { type BulkJobRow, type BulkRepository, type CompressedPage, compressPage } from './bulk-repository.ts';
import { fatalCause, IMPORT_CHUNK_ROWS, ImportSteps } from './import-steps.ts';
import { recordsPath } from './json-path-locator.ts';
import type { Database } from '../store/tables.ts';
import { uploadFormat, uploadRecords } from './upload-records.ts';
import { describeLine, RETRY_WAITS_MS, VENDOR_ATTEMPTS, withRetries } from './vendor-attempts.ts';

export const BULK_STEP_JOB = 'bulk.step';
/** Records asked of the vendor per page: one stored chunk each. */
const PAGE_SIZE = 100;
/** Pages stored in one transaction (one checkpoint). */
const PAGES_PER_COMMIT = 5;
/** Records shaped before other work gets a turn. */
const SLICE = 20;
/** A step stores pages for about this long, then hands the rest to the next step. */
const STEP_MS = 5000;
/** A record of an uploaded file longer than this (characters) is refused. */
const MAX_RECORD_LENGTH = 1024 * 1024;

export interface BulkServiceDeps {
  jobs: BulkRepository;
  instances: InstanceRepository;
  registry: ElementRegistry;
  queue: JobQueue;
  transformations: TransformationService;
  /** The context the instance's vendor calls run in (traced while trace logging is on). */
  contextOf: (instance: Instance) => HubContext;
  clock: Clock;
  logger: Logger;
  /** Days an ended job and its result are kept. */
  retentionDays: number;
  /** Marks an instance whose credentials the vendor refused (polls stop, the console says so). */
  markInvalid: (instance: Instance) => Promise<void>;
  /** How long one vendor call may take (SWITCHBOARD_VENDOR_TIMEOUT_MS): bounds how long a step can run. */
  vendorTimeoutMs: number;
  callbacks: BulkCallbacks;
  /** Imports: rows written at once, and the most rows one upload may hold. */
  importConcurrency: number;
  maxImportRows: number;
}

/** An uploaded file of records (`POST /hubs/{hub}/bulk/{objectName}`), as the multipart part gives it. */
export interface BulkUpload {
  file: Readable;
  filename: string;
  mimeType: string;
  /** Whether the file was cut at the upload size limit (known once it is read). */
  truncated: () => boolean;
  /** The parsed `metaData` part, when it came before the file. */
  metaData: unknown;
  callbackUrl: string | undefined;
}

/** An import's records, stored in chunks of its job, waiting for `startImport`. */
export interface StoredUpload {
  job: BulkJobRow;
  rows: number;
  chunks: number;
}

const tooLarge = () => new ApiError('PAYLOAD_TOO_LARGE', 'The file is larger than the bulk upload limit (SWITCHBOARD_BULK_UPLOAD_MB)');

/**
 * Bulk jobs, each run as steps on the job queue. An export (a `select`) reads pages from the
 * element's exporter and stores each page with the position after it in one transaction, so a
 * job that dies (a killed process) resumes where its last stored page ended and stores every
 * record once; a cancel is seen before the next page. An import stores the uploaded rows first,
 * then writes them in batches (`ImportSteps`). When a job ends, its callback is queued.
 */
export class BulkService {
  readonly #imports: ImportSteps;

  constructor(private readonly deps: BulkServiceDeps) {
    this.#imports = new ImportSteps({ jobs: deps.jobs, transformations: deps.transformations, clock: deps.clock, concurrency: deps.importConcurrency });
  }

  #retention: NodeJS.Timeout | undefined;
  #missedCallbacks: NodeJS.Timeout | undefined;

  /**
   * Runs steps in this process, deletes ended jobs past their retention every hour, and every
   * minute queues the callbacks that a dead process ended a job without queueing.
   */
  async start(): Promise<void> {
    await this.deps.queue.work(BULK_STEP_JOB, (p) => this.step(String(p.jobId)), { concurrency: 2 });
    await this.deps.callbacks.start();
    void this.prune();
    this.#retention = setInterval(() => void this.prune(), 3600_000).unref();
    void this.queueMissedCallbacks();
    this.#missedCallbacks = setInterval(() => void this.queueMissedCallbacks(), 60_000).unref();
  }

  /** Queues the callbacks of ended jobs that have none queued; resolves when done (or logged as failed). */
  queueMissedCallbacks(): Promise<void> {
    return this.deps.callbacks.queueMissed().then(
      (n) => void (n && this.deps.logger.info({ bulkCallbacks: n }, 'bulk callbacks of ended jobs queued late')),
      (err: Error) => this.deps.logger.warn({ err: err.message }, 'bulk callbacks not queued; tried again in a minute'),
    );
  }

  /** Deletes ended jobs past their retention, and uploads abandoned a day ago; resolves when done (or logged as failed). */
  prune(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const before = new Date(now - this.deps.retentionDays * 86_400_000).toISOString();
    // No upload takes a day: one that began that long ago was abandoned.
    const uploadsBefore = new Date(now - 86_400_000).toISOString();
    return this.deps.jobs.deleteEndedBefore(before, uploadsBefore).then(
      (n) => void (n && this.deps.logger.info({ deletedBulkJobs: n }, 'bulk jobs past retention deleted')),
      (err: Error) => this.deps.logger.warn({ err: err.message }, 'bulk retention failed; it runs again in an hour'),
    );
  }

  stop(): void {
    clearInterval(this.#retention);
    clearInterval(this.#missedCallbacks);
  }

  /** Checks the query against the element, stores the job and queues its first step. */
  async createExport(instance: Instance, q: string | undefined, callbackUrl?: string): Promise<BulkJobRow> {
    if (!q) throw badRequest('Give the query in q: select * from incidents [where …]');
    const query = this.#parse(q);
    this.#exporter(instance, query.objectName).check(query.where, query.orderBy);
    const id = randomBytes(12).toString('hex');
    // The job and its first step are stored together: a failure leaves neither.
    return this.deps.jobs.create(
      {
        id,
        organization_id: instance.organizationId,
        instance_id: instance.id,
        kind: 'export',
        object_name: query.objectName,
        query: q,
        callbackUrl,
        created_at: this.deps.clock.now().toISOString(),
      },
      (trx) => this.#queueStep(id, trx),
    );
  }

  /**
   * Reads the uploaded records as they arrive into stored chunks of a new job; `startImport` then
   * runs it (or `discard` drops it, when the rest of the request is refused). The job exists while
   * the file is read (its chunks belong to it) and is removed again when the file is refused: a
   * bad row, too many rows, too large.
   */
  async createImport(instance: Instance, objectName: string, upload: BulkUpload): Promise<StoredUpload> {
    const importer = this.#importer(instance, objectName);
    const format = uploadFormat(upload.mimeType, upload.filename);
    if (!format) throw badRequest(`The file ${upload.filename.slice(0, 100)} is not CSV, JSON or NDJSON (by its Content-Type or its name)`);
    const meta = uploadMetaData(upload.metaData);
    const identifierField = this.#identifierField(meta, importer);
    const path = meta.path === undefined || meta.path === null ? undefined : recordsPath(meta.path);
    if (path && format !== 'json') throw badRequest('metaData.path applies to a JSON file only (by its Content-Type or its name)');
    const job = await this.deps.jobs.create({
      id: randomBytes(12).toString('hex'),
      organization_id: instance.organizationId,
      instance_id: instance.id,
      kind: 'import',
      object_name: objectName,
      query: upload.filename.slice(0, 500),
      identifierField,
      callbackUrl: upload.callbackUrl,
      created_at: this.deps.clock.now().toISOString(),
    });
    try {
      let rows = 0;
      let seq = 0;
      let lines = '';
      for await (const record of uploadRecords(upload.file, format, MAX_RECORD_LENGTH, path)) {
        if (++rows > this.deps.maxImportRows) throw badRequest(`The file has more than ${this.deps.maxImportRows} records (SWITCHBOARD_BULK_MAX_ROWS)`);
        lines += `${JSON.stringify(record)}\n`;
        if (rows % IMPORT_CHUNK_ROWS === 0) {
          await this.deps.jobs.appendInput(job.id, seq++, lines);
          lines = '';
        }
      }
      if (upload.truncated()) throw tooLarge();
      if (lines) await this.deps.jobs.appendInput(job.id, seq++, lines);
      return { job, rows, chunks: seq };
    } catch (err) {
      await this.deps.jobs.delete(job.id);
      // A file cut at the limit ends mid-record: that, not the broken record, is the reason.
      if (upload.truncated() || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw err;
    }
  }

  /**
   * Marks the upload whole and queues the import's first step, in one transaction: if either
   * fails, the caller's error leaves an unfinished upload, which `discard` or the retention deletes.
   */
  async startImport(upload: StoredUpload): Promise<void> {
    await this.deps.jobs.inputStored(upload.job.id, upload.rows, upload.chunks, this.deps.clock.now().toISOString(), (trx) =>
      this.#queueStep(upload.job.id, trx),
    );
  }

  /** Drops an import that never started (the request it came with was refused after its file). */
  discard(job: BulkJobRow): Promise<void> {
    return this.deps.jobs.delete(job.id);
  }

  #identifierField(metaData: UploadMetaData, importer: BulkImporter): string | undefined {
    const field = metaData.identifierFieldName;
    if (field === undefined || field === null || field === '') return undefined;
    if (typeof field !== 'string' || !isPlacePath(field)) throw badRequest('metaData.identifierFieldName must be a dotted path such as key or fields.summary');
    importer.checkIdentifier(field);
    return field;
  }

  async cancel(job: BulkJobRow): Promise<void> {
    if (await this.deps.jobs.finish(job.id, 'CANCELLED', 'Cancelled by the caller', this.deps.clock.now().toISOString())) await this.#ended(job.id);
  }

  /** A job ended: its callback is queued. A failure to queue it is logged, and queued again within a minute or two; the job's end stands. */
  async #ended(jobId: string): Promise<void> {
    await this.deps.callbacks.ended(jobId).catch((err: Error) => this.deps.logger.warn({ bulkJob: jobId, err: err.message }, 'bulk callback not queued'));
  }

  #parse(q: string): SelectQuery {
    try {
      return parseSelect(q);
    } catch (err) {
      if (err instanceof CeqlError) throw badRequest(`Invalid bulk query: ${err.message}`);
      throw err;
    }
  }

  #importer(instance: Instance, objectName: string): BulkImporter {
    const importers = this.deps.registry.module(instance.elementKey)?.hub?.bulkImport;
    if (!importers || !Object.hasOwn(importers, objectName)) {
      const offered = importers ? Object.keys(importers).join(', ') : 'none';
      throw badRequest(`The ${instance.elementKey} element has no bulk import of ${objectName.slice(0, 100)} (it imports: ${offered})`);
    }
    return importers[objectName]!;
  }

  #exporter(instance: Instance, objectName: string): BulkExporter {
    const exporters = this.deps.registry.module(instance.elementKey)?.hub?.bulkExport;
    if (!exporters || !Object.hasOwn(exporters, objectName)) {
      const offered = exporters ? Object.keys(exporters).join(', ') : 'none';
      throw badRequest(`The ${instance.elementKey} element has no bulk export of ${objectName.slice(0, 100)} (it exports: ${offered})`);
    }
    return exporters[objectName]!;
  }

  /**
   * A step runs its time and one more page with its retries; one still running past that (its
   * lease) is taken to be in a process that died, and is run again from the checkpoint. A slow
   * step can outlive its lease and run beside its successor: `appendPages` stores a batch only
   * onto the chunk count it started from, so one of them stores it and the other stops.
   */
  #queueStep(jobId: string, within?: Kysely<Database>): Promise<string | null> {
    const leaseMs = STEP_MS + VENDOR_ATTEMPTS * this.deps.vendorTimeoutMs + RETRY_WAITS_MS + 2000;
    return this.deps.queue.enqueue(BULK_STEP_JOB, { jobId }, { singletonKey: jobId, leaseMs, retryLimit: 5, ...(within && { within }) });
  }

  /**
   * Runs the job for about `STEP_MS` from its checkpoint, then queues the next step if it is not
   * done. Pages are stored a few at a time (`PAGES_PER_COMMIT`): each commit is a durable
   * checkpoint, and fewer of them cost the database less.
   */
  async step(jobId: string): Promise<void> {
    const until = Date.now() + STEP_MS;
    const first = await this.deps.jobs.byId(jobId);
    if (!first || (first.status !== 'CREATED' && first.status !== 'RUNNING')) return;
    const instance = await this.deps.instances.find(first.instance_id);
    if (!instance || instance.disabled) {
      await this.#fail(first, instance ? 'The instance is disabled' : 'The instance was deleted');
      return;
    }
    if (first.kind === 'import') {
      await this.#importStep(first, instance, until);
      return;
    }
    const query = this.#parse(first.query);
    const exporter = this.#exporter(instance, query.objectName);
    const transformation = await this.deps.transformations.resolve(instance, query.objectName);
    // Selected paths may narrow what the vendor sends; through a transformation, paths name the
    // common shape, and the vendor sends everything the mapping may need.
    const fields = transformation ? undefined : query.fields;
    const context = this.deps.contextOf(instance);
    let job = first;
    const fetchPage = (cursor: unknown): Promise<BulkExportPage> => {
      const request = { where: query.where, orderBy: query.orderBy, fields, cursor, pageSize: PAGE_SIZE };
      const page = withRetries(() => exporter.page(request, context));
      // Awaited below, unless the job stops first: a failure then is not an unhandled one.
      page.catch(() => undefined);
      return page;
    };
    // The page after the last one read, asked for before it is needed: the vendor serves it while
    // switchboard shapes and stores the one before, across commits too.
    let ahead: Promise<BulkExportPage> | undefined;
    for (;;) {
      // Each page is compressed as it is shaped: a batch holds a fraction of its JSON's size until
      // the commit, and no page's text lives long enough to reach V8's old generation.
      const pages: CompressedPage[] = [];
      let read = 0;
      let records = 0;
      let checkpoint: unknown = job.checkpoint === null ? null : JSON.parse(job.checkpoint);
      let total: number | undefined;
      try {
        let pending = ahead ?? fetchPage(checkpoint);
        ahead = undefined;
        while (read < PAGES_PER_COMMIT) {
          const page = await pending;
          read++;
          const last = page.cursor === null || read === PAGES_PER_COMMIT;
          // At a commit, the next page is asked for only if this step goes on after it.
          if (!last) pending = fetchPage(page.cursor);
          else if (page.cursor !== null && Date.now() < until) ahead = fetchPage(page.cursor);
          const compressed = await compressPage((write) => this.#writeLines(instance, query, transformation, page.items, write));
          if (compressed) pages.push(compressed);
          records += page.items.length;
          checkpoint = page.cursor;
          total ??= page.total;
          if (last) break;
          // A cancel is seen before the next page is taken, not only at the next commit.
          if (!(await this.#running(jobId))) return;
        }
      } catch (err) {
        if (rejectsCredentials(err)) await this.deps.markInvalid(instance);
        await this.#fail(job, describeLine(err));
        return;
      }
      const done = checkpoint === null;
      const stored = await this.deps.jobs.appendPages(
        job.id,
        job.chunks,
        { pages, records, checkpoint, totalEstimate: total, done },
        this.deps.clock.now().toISOString(),
      );
      // Not stored: cancelled, or another run of this job stored these pages first.
      if (!stored) return;
      if (done) {
        await this.#ended(job.id);
        return;
      }
      const next = await this.deps.jobs.byId(jobId);
      if (next?.status !== 'RUNNING') return;
      job = next;
      if (Date.now() >= until) {
        await this.#queueStep(jobId);
        return;
      }
    }
  }

  /** One step of an import: batches of rows until its time is up; a refusal of the credentials or permission fails the job. */
  async #importStep(job: BulkJobRow, instance: Instance, until: number): Promise<void> {
    let end: Awaited<ReturnType<ImportSteps['run']>>;
    try {
      end = await this.#imports.run(job, instance, this.#importer(instance, job.object_name), this.deps.contextOf(instance), until);
    } catch (err) {
      const cause = fatalCause(err);
      if (cause === undefined) throw err;
      if (rejectsCredentials(cause)) await this.deps.markInvalid(instance);
      await this.#fail(job, describeLine(cause));
      return;
    }
    if (end === 'ended') await this.#ended(job.id);
    else if (end === 'more') await this.#queueStep(job.id);
  }

  /**
   * NDJSON lines of records as the hub would answer them (transformed, nulls stripped unless
   * turned off, then the selected paths), written a slice at a time, letting other work
   * (hub calls) run in between: a page is a few hundred kilobytes of JSON.
   */
  async #writeLines(
    instance: Instance,
    query: SelectQuery,
    transformation: CompiledTransformation | undefined,
    items: unknown[],
    write: (lines: string) => Promise<void>,
  ): Promise<void> {
    const objects = transformation ? await this.deps.transformations.read(query.objectName, transformation, items) : items;
    const stripNulls = stripsNulls(instance.configuration);
    const paths = query.fields?.map((f) => parsePath(f));
    let lines = '';
    for (let i = 0; i < objects.length; i++) {
      // Waiting for zlib to take a slice also gives other work its turn.
      if (i > 0 && i % SLICE === 0) {
        await write(lines);
        lines = '';
      }
      if (!paths) {
        lines += `${stripNulls ? stringifyWithoutNulls(objects[i]) : JSON.stringify(objects[i])}\n`;
        continue;
      }
      const shaped = shape(objects[i], { stripNulls, raw: false });
      const record: Record<string, unknown> = {};
      for (const path of paths) {
        const value = getPath(shaped, path);
        if (value !== undefined) setPath(record, path, value);
      }
      lines += `${JSON.stringify(record)}\n`;
    }
    await write(lines);
  }

  async #running(jobId: string): Promise<boolean> {
    const status = (await this.deps.jobs.byId(jobId))?.status;
    return status === 'CREATED' || status === 'RUNNING';
  }

  async #fail(job: BulkJobRow, message: string): Promise<void> {
    if (await this.deps.jobs.finish(job.id, 'FAILED', message, this.deps.clock.now().toISOString())) {
      this.deps.logger.warn({ bulkJob: job.id, err: message }, 'bulk job failed');
      await this.#ended(job.id);
    }
  }
}

/** The members of an upload's metaData part that an import reads; others are ignored. */
interface UploadMetaData {
  identifierFieldName?: unknown;
  /** Member names, joined by dots, of the records array inside a JSON file's object. */
  path?: unknown;
}

function uploadMetaData(metaData: unknown): UploadMetaData {
  if (metaData === undefined) return {};
  if (metaData === null || typeof metaData !== 'object' || Array.isArray(metaData)) throw badRequest('metaData must be a JSON object');
  return { identifierFieldName: ownValue(metaData, 'identifierFieldName'), path: ownValue(metaData, 'path') };
}

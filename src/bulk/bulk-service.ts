import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CeqlError } from '../ceql/ast.ts';
import { parseSelect, type SelectQuery } from '../ceql/select.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { BulkExporter, HubContext } from '../hubs/hub-contract.ts';
import { shape } from '../hubs/response-shaping.ts';
import type { Instance, InstanceRepository } from '../instances/instance-repository.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Clock } from '../platform/clock.ts';
import { ApiError, badRequest, rejectsCredentials } from '../platform/errors.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import { type CompiledTransformation, getPath, parsePath, setPath } from '../transformations/mapping.ts';
import type { BulkJobRow, BulkRepository } from './bulk-repository.ts';

export const BULK_STEP_JOB = 'bulk.step';
/** Records asked of the vendor per page: one stored chunk each. */
const PAGE_SIZE = 100;
/** Pages stored in one transaction (one checkpoint). */
const PAGES_PER_COMMIT = 5;
/** Records shaped before other work gets a turn. */
const SLICE = 20;
/** A step stores pages for about this long, then hands the rest to the next step. */
const STEP_MS = 5000;
/** Attempts at one page when the vendor fails in a way that may pass (5xx, no answer), and the waits between them. */
const PAGE_ATTEMPTS = 3;
const RETRY_WAITS_MS = 1000 + 3000;

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
}

const truthy = (v: unknown) => v === true || v === 'true';

/**
 * Bulk exports: a `select` runs as a job of steps on the job queue. Each step reads pages from
 * the element's exporter and stores each page with the position after it in one transaction, so
 * a job that dies (a killed process) resumes where its last stored page ended and stores every
 * record once. Cancelling is seen before the next page.
 */
export class BulkService {
  constructor(private readonly deps: BulkServiceDeps) {}

  #retention: NodeJS.Timeout | undefined;

  /** Runs steps in this process, and deletes ended jobs past their retention every hour. */
  async start(): Promise<void> {
    await this.deps.queue.work(BULK_STEP_JOB, (p) => this.step(String(p.jobId)), { concurrency: 2 });
    const prune = () => {
      const before = new Date(this.deps.clock.now().getTime() - this.deps.retentionDays * 86_400_000).toISOString();
      return this.deps.jobs.deleteEndedBefore(before).then(
        (n) => n && this.deps.logger.info({ deletedBulkJobs: n }, 'bulk jobs past retention deleted'),
        (err: Error) => this.deps.logger.warn({ err: err.message }, 'bulk retention failed; it runs again in an hour'),
      );
    };
    void prune();
    this.#retention = setInterval(prune, 3600_000).unref();
  }

  stop(): void {
    clearInterval(this.#retention);
  }

  /** Checks the query against the element, stores the job and queues its first step. */
  async createExport(instance: Instance, q: string | undefined): Promise<BulkJobRow> {
    if (!q) throw badRequest('Give the query in q: select * from incidents [where …]');
    const query = this.#parse(q);
    this.#exporter(instance, query.objectName).check(query.where);
    if (query.orderBy) throw badRequest('order by is not supported in bulk queries yet: records come in the order they were created');
    const job = await this.deps.jobs.create({
      id: randomBytes(12).toString('hex'),
      organization_id: instance.organizationId,
      instance_id: instance.id,
      kind: 'export',
      object_name: query.objectName,
      query: q,
      created_at: this.deps.clock.now().toISOString(),
    });
    await this.#queueStep(job.id);
    return job;
  }

  async cancel(job: BulkJobRow): Promise<void> {
    await this.deps.jobs.finish(job.id, 'CANCELLED', 'Cancelled by the caller', this.deps.clock.now().toISOString());
  }

  #parse(q: string): SelectQuery {
    try {
      return parseSelect(q);
    } catch (err) {
      if (err instanceof CeqlError) throw badRequest(`Invalid bulk query: ${err.message}`);
      throw err;
    }
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
  #queueStep(jobId: string): Promise<string | null> {
    const leaseMs = STEP_MS + PAGE_ATTEMPTS * this.deps.vendorTimeoutMs + RETRY_WAITS_MS + 2000;
    return this.deps.queue.enqueue(BULK_STEP_JOB, { jobId }, { singletonKey: jobId, leaseMs, retryLimit: 5 });
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
    const query = this.#parse(first.query);
    const exporter = this.#exporter(instance, query.objectName);
    const transformation = await this.deps.transformations.resolve(instance, query.objectName);
    // Selected vendor fields narrow what the vendor sends; through a transformation, paths name
    // the common shape, and the vendor sends everything the mapping may need.
    const fields = transformation ? undefined : query.fields?.filter((f) => f.startsWith('fields.')).map((f) => f.split('.')[1]!);
    const context = this.deps.contextOf(instance);
    let job = first;
    for (;;) {
      const pages: string[] = [];
      let records = 0;
      let checkpoint: unknown = job.checkpoint === null ? null : JSON.parse(job.checkpoint);
      let total: number | undefined;
      const fetchPage = (cursor: unknown) => {
        const request = { where: query.where, fields, cursor, pageSize: PAGE_SIZE };
        const page = this.#withRetries(() => exporter.page(request, context));
        // Awaited below, unless the job stops first: a failure then is not an unhandled one.
        page.catch(() => undefined);
        return page;
      };
      try {
        let next = fetchPage(checkpoint);
        while (pages.length < PAGES_PER_COMMIT) {
          const page = await next;
          // The vendor serves the next page while this one is shaped (the cursor is known now).
          if (page.cursor !== null && pages.length + 1 < PAGES_PER_COMMIT) next = fetchPage(page.cursor);
          pages.push(await this.#lines(instance, query, transformation, page.items));
          records += page.items.length;
          checkpoint = page.cursor;
          total ??= page.total;
          if (page.cursor === null || pages.length === PAGES_PER_COMMIT) break;
          // A cancel is seen before the next page is taken, not only at the next commit.
          if (!(await this.#running(jobId))) return;
        }
      } catch (err) {
        if (rejectsCredentials(err)) await this.deps.markInvalid(instance);
        await this.#fail(job, describe(err));
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
      if (!stored || done) return;
      const next = await this.deps.jobs.byId(jobId);
      if (!next || next.status !== 'RUNNING') return;
      job = next;
      if (Date.now() >= until) {
        await this.#queueStep(jobId);
        return;
      }
    }
  }

  /**
   * NDJSON lines of records as the hub would answer them: transformed, nulls stripped unless
   * turned off, then the selected paths. Made a slice at a time, letting other work (hub calls)
   * run in between: a page is a few hundred kilobytes of JSON.
   */
  async #lines(instance: Instance, query: SelectQuery, transformation: CompiledTransformation | undefined, items: unknown[]): Promise<string> {
    const objects = transformation ? await this.deps.transformations.read(query.objectName, transformation, items) : items;
    const nulls = instance.configuration['filter.response.nulls'];
    const stripNulls = nulls === undefined || truthy(nulls);
    const paths = query.fields?.map((f) => parsePath(f));
    let lines = '';
    for (let i = 0; i < objects.length; i++) {
      if (i > 0 && i % SLICE === 0) await new Promise((r) => setImmediate(r));
      const shaped = shape(objects[i], { stripNulls, raw: false });
      let record = shaped;
      if (paths) {
        const out: Record<string, unknown> = {};
        for (const path of paths) {
          const value = getPath(shaped, path);
          if (value !== undefined) setPath(out, path, value);
        }
        record = out;
      }
      lines += `${JSON.stringify(record)}\n`;
    }
    return lines;
  }
  async #running(jobId: string): Promise<boolean> {
    const status = (await this.deps.jobs.byId(jobId))?.status;
    return status === 'CREATED' || status === 'RUNNING';
  }

  async #withRetries<T>(work: () => Promise<T>): Promise<T> {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        // A refusal (4xx: credentials, permissions, the query) will not pass; never retried.
        const passing = !(err instanceof ApiError) || err.status >= 500;
        if (!passing || attempt >= PAGE_ATTEMPTS) throw err;
        await sleep(1000 * 3 ** (attempt - 1));
      }
    }
  }

  async #fail(job: BulkJobRow, message: string): Promise<void> {
    if (await this.deps.jobs.finish(job.id, 'FAILED', message, this.deps.clock.now().toISOString())) {
      this.deps.logger.warn({ bulkJob: job.id, err: message }, 'bulk job failed');
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.message}${err.extras.providerMessage ? ` (${String(err.extras.providerMessage)})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

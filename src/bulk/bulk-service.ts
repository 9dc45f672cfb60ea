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
import { ApiError, badRequest } from '../platform/errors.ts';
import type { TransformationService } from '../transformations/transformation-service.ts';
import { type CompiledTransformation, getPath, parsePath, setPath } from '../transformations/mapping.ts';
import type { BulkJobRow, BulkRepository } from './bulk-repository.ts';

export const BULK_STEP_JOB = 'bulk.step';
/** Records asked of the vendor per page: one stored chunk each. */
const PAGE_SIZE = 100;
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
  /** How long one vendor call may take (SWITCHBOARD_VENDOR_TIMEOUT_MS): bounds how long a step can run. */
  vendorTimeoutMs: number;
  /** Waits between attempts at a page (tests pass a quick one). */
  sleep?: (ms: number) => Promise<void>;
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
    this.#exporter(instance, query.objectName);
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
   * A step runs at most its time, then one more page with its retries: a step still running past
   * that (its lease) was in a process that died, and is run again from the checkpoint.
   */
  #queueStep(jobId: string): Promise<string | null> {
    const leaseMs = STEP_MS + PAGE_ATTEMPTS * this.deps.vendorTimeoutMs + RETRY_WAITS_MS + 2000;
    return this.deps.queue.enqueue(BULK_STEP_JOB, { jobId }, { singletonKey: jobId, leaseMs, retryLimit: 5 });
  }

  /** Runs the job for about `STEP_MS` from its checkpoint, then queues the next step if it is not done. */
  async step(jobId: string): Promise<void> {
    const until = Date.now() + STEP_MS;
    for (;;) {
      const job = await this.deps.jobs.byId(jobId);
      if (!job || (job.status !== 'CREATED' && job.status !== 'RUNNING')) return;
      const instance = await this.deps.instances.find(job.instance_id);
      if (!instance || instance.disabled) {
        await this.#fail(job, instance ? 'The instance is disabled' : 'The instance was deleted');
        return;
      }
      let done: boolean;
      try {
        done = await this.#page(job, instance);
      } catch (err) {
        await this.#fail(job, describe(err));
        return;
      }
      if (done) return;
      if (Date.now() >= until) {
        await this.#queueStep(jobId);
        return;
      }
    }
  }

  /** Reads, shapes and stores the page after the job's checkpoint; true when it was the last. */
  async #page(job: BulkJobRow, instance: Instance): Promise<boolean> {
    const query = this.#parse(job.query);
    const exporter = this.#exporter(instance, query.objectName);
    const cursor = job.checkpoint === null ? null : (JSON.parse(job.checkpoint) as unknown);
    const transformation = await this.deps.transformations.resolve(instance, query.objectName);
    // Selected vendor fields narrow what the vendor sends; through a transformation, paths name
    // the common shape, and the vendor sends everything the mapping may need.
    const vendorFields = transformation ? undefined : query.fields?.filter((f) => f.startsWith('fields.')).map((f) => f.split('.')[1]!);
    const request = { where: query.where, fields: vendorFields, cursor, pageSize: PAGE_SIZE };
    const page = await this.#withRetries(() => exporter(request, this.deps.contextOf(instance)));
    const lines = (await this.#shaped(instance, query, transformation, page.items)).map((r) => `${JSON.stringify(r)}\n`).join('');
    const stored = await this.deps.jobs.appendPage(
      job.id,
      job.chunks,
      { lines, records: page.items.length, checkpoint: page.cursor, totalEstimate: page.total, done: page.cursor === null },
      this.deps.clock.now().toISOString(),
    );
    // Not stored: cancelled, or another run of this job stored this page first; the next look decides.
    return stored && page.cursor === null;
  }

  /** Records as the hub would answer them: transformed, nulls stripped unless turned off, then the selected paths. */
  async #shaped(instance: Instance, query: SelectQuery, transformation: CompiledTransformation | undefined, items: unknown[]): Promise<unknown[]> {
    const objects = transformation ? await this.deps.transformations.read(query.objectName, transformation, items) : items;
    const nulls = instance.configuration['filter.response.nulls'];
    const stripNulls = nulls === undefined || truthy(nulls);
    const shaped = objects.map((o) => shape(o, { stripNulls, raw: false }));
    if (!query.fields) return shaped;
    const paths = query.fields.map((f) => ({ path: parsePath(f) }));
    return shaped.map((o) => {
      const out: Record<string, unknown> = {};
      for (const { path } of paths) {
        const value = getPath(o, path);
        if (value !== undefined) setPath(out, path, value);
      }
      return out;
    });
  }

  async #withRetries<T>(work: () => Promise<T>): Promise<T> {
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
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

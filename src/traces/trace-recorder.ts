import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import { BatchedWriter, type WriterStats } from '../platform/batched-writer.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import { tracedHttp } from '../platform/traced-http.ts';
import type { NewTrace, TraceRepository } from './trace-repository.ts';
import { traceRow } from './trace-row.ts';
import { ProvisioningTrace } from './provisioning-trace.ts';
import { deleteInBatches } from '../store/batched-delete.ts';

/** The instance a traced call belongs to. */
export interface TracedInstance {
  id: number;
  organizationId: number;
  accountId: number;
  traceLoggingEnabled: boolean;
}

export interface TraceRecorderOptions {
  /** How long a trace is kept. */
  retentionMs: number;
  /** What one organization's traces may hold together, in bytes; the oldest go first. */
  organizationBytes: number;
  /** Whether a failed write is worth trying again (the database does not answer for now). */
  retryable?: (err: unknown) => boolean;
}

const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5000;

/**
 * Trace logging (`traceLoggingEnabled`): the vendor calls of an instance that has it on are
 * recorded, secrets redacted and bodies cut (`tracedHttp`), and written in batches off the
 * request. Traces are kept `retentionMs` or until their organization's share is full, whichever
 * comes first; a prune runs every minute in each process that runs the worker.
 */
export class TraceRecorder {
  readonly #writer: BatchedWriter<NewTrace>;
  #prune: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: TraceRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: TraceRecorderOptions,
  ) {
    this.#writer = new BatchedWriter((rows) => repo.insert(rows), logger, {
      flushMs: 500,
      batchSize: 200,
      maxPending: 5000,
      what: 'vendor traces',
      retryable: options.retryable,
    });
  }

  /**
   * `http` as the instance's calls should use it: traced while the instance has trace logging on
   * (`requestId` links the traces to the API call's usage record; null for a poll), else as it is.
   */
  httpFor(instance: TracedInstance, requestId: string | null, http: OutboundHttp, secrets: readonly string[]): OutboundHttp {
    if (!instance.traceLoggingEnabled) return http;
    return tracedHttp(http, (call) => this.#writer.add(traceRow(instance, requestId, call, this.clock.now())), secrets);
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Records waiting to be written, and failed writes (`BatchedWriter.stats`). */
  stats(): WriterStats {
    return this.#writer.stats();
  }

  /** A trace of a new instance's provisioning calls, under `id` (`debug` in its configuration). */
  provisioning(id: string): ProvisioningTrace {
    return new ProvisioningTrace(id, this.repo, this.clock);
  }

  /** Deletes traces past their age, then each organization's oldest past its share; returns how many. */
  async prune(): Promise<number> {
    await this.flush();
    const before = new Date(this.clock.now().getTime() - this.options.retentionMs).toISOString();
    let total = await deleteInBatches((limit) => this.repo.deleteBefore(before, limit), PRUNE_BATCH);
    for (const organizationId of await this.repo.organizationsOver(this.options.organizationBytes)) {
      total += await this.repo.keepNewest(organizationId, this.options.organizationBytes);
    }
    return total;
  }

  startRetention(): void {
    const run = () =>
      this.prune().then(
        (n) => n && this.logger.info({ deletedTraces: n }, "vendor traces past their age or their organization's share deleted"),
        (err: Error) => this.logger.warn({ err: err.message }, 'vendor trace pruning failed; it runs again in a minute'),
      );
    void run();
    this.#prune = setInterval(run, PRUNE_EVERY_MS).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#prune);
    await this.#writer.close();
  }
}

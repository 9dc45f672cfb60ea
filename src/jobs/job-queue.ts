/**
 * The job queue port. Two adapters implement it and one contract suite proves them equal:
 * `local/` (a table in the SQLite store; the single-machine default) and `pgboss/` (pg-boss on
 * PostgreSQL; many processes share the work).
 *
 * Guarantees both adapters give:
 * - a job runs at least once, not before `runAt`; a handler that throws is retried (up to
 *   `retryLimit`, default 2) after `retryDelayMs`;
 * - with a `singletonKey`, at most one job per name and key is waiting and at most one is
 *   running, whatever the number of processes (a second `enqueue` returns `null`);
 * - jobs survive restarts; a job whose process died is run again once its lease expires.
 */
export interface EnqueueOptions {
  runAt?: Date;
  singletonKey?: string;
  retryLimit?: number;
  /** How long a run may take before the job counts as abandoned by a dead process and runs again. */
  leaseMs?: number;
}

export type JobPayload = Record<string, unknown>;
export type JobHandler = (payload: JobPayload) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this name run at once in this process. */
  concurrency?: number;
}

export interface JobQueue {
  readonly kind: 'local' | 'pgboss';
  enqueue(name: string, payload: JobPayload, options?: EnqueueOptions): Promise<string | null>;
  work(name: string, handler: JobHandler, options?: WorkOptions): Promise<void>;
  /** Stops taking jobs and waits for running ones. */
  stop(): Promise<void>;
}

export const DEFAULT_RETRY_LIMIT = 2;

import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.ts';

/**
 * The job queue port. `sql/` implements it on the store's own `jobs` table, in SQLite (one
 * machine) and in PostgreSQL (any number of processes); one contract suite runs against both.
 *
 * Guarantees:
 * - a job runs at least once, not before `runAt`; a handler that throws is retried (up to
 *   `retryLimit`, default 2) after the queue's retry delay;
 * - with a `singletonKey`, at most one job per name and key is waiting and at most one is
 *   running, whatever the number of processes (a second `enqueue` returns `null`). Jobs that
 *   share a key are interchangeable: a job that fails or is abandoned while another of its key
 *   waits gives way to the waiting one;
 * - a waiting job of a busy key never holds up any other job;
 * - jobs survive restarts; a job whose process died is run again once its lease expires;
 * - a job queued `within` a transaction of the store exists if and only if that transaction
 *   commits, and its workers are woken only then.
 */
export interface EnqueueOptions {
  runAt?: Date;
  singletonKey?: string;
  retryLimit?: number;
  /** How long a run may take before the job counts as abandoned by a dead process and runs again. */
  leaseMs?: number;
  /**
   * A transaction of the store to queue the job in, beside the rows it works on: what a request
   * creates and the job that carries it out commit together or not at all, so a failure can
   * neither leave the one without the other nor answer an error for something that was stored.
   */
  within?: Kysely<Database>;
}

export type JobPayload = Record<string, unknown>;
export type JobHandler = (payload: JobPayload) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this name run at once in this process. */
  concurrency?: number;
}

export interface JobQueue {
  enqueue(name: string, payload: JobPayload, options?: EnqueueOptions): Promise<string | null>;
  work(name: string, handler: JobHandler, options?: WorkOptions): Promise<void>;
  /** Stops taking jobs and waits for running ones. */
  stop(): Promise<void>;
}

export const DEFAULT_RETRY_LIMIT = 2;

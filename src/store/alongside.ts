import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

/**
 * Work a caller runs in a repository's transaction, beside the repository's own writes: the job
 * that carries out what was stored, queued `within` that transaction (src/jobs/job-queue.ts), so
 * that the two commit together or not at all.
 */
export type Alongside = (trx: Kysely<Database>) => Promise<unknown>;

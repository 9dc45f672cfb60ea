import PgBoss from 'pg-boss';
import { DEFAULT_RETRY_LIMIT, type EnqueueOptions, type JobHandler, type JobPayload, type JobQueue, type WorkOptions } from '../job-queue.ts';

export interface PgBossQueueOptions {
  connectionString: string;
  /** Seconds a job may run before pg-boss considers its worker dead and retries it. */
  leaseSeconds?: number;
  retryDelaySeconds?: number;
  pollingIntervalSeconds?: number;
  /** How often pg-boss looks for expired leases (and other maintenance). */
  maintenanceIntervalSeconds?: number;
  /** pg-boss reports background failures (lost connections, maintenance errors) here. */
  onError?: (err: Error) => void;
}

/**
 * pg-boss 10 on PostgreSQL for scale-out. Each job name is two pg-boss queues: a `standard` one
 * for ordinary jobs and a `stately` one for jobs with a singleton key, because `stately` is what
 * gives the port's guarantee (one waiting and one running job per key) across processes, but
 * without a key it would allow only one job in the whole queue.
 */
const singletonQueue = (name: string) => `${name}__singleton`;

export class PgBossJobQueue implements JobQueue {
  readonly kind = 'pgboss' as const;
  readonly #boss: PgBoss;
  readonly #options: PgBossQueueOptions;
  readonly #created = new Set<string>();
  #started: Promise<unknown> | undefined;

  constructor(options: PgBossQueueOptions) {
    this.#options = options;
    this.#boss = new PgBoss({
      connectionString: options.connectionString, max: 4, supervise: true, schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    });
    this.#boss.on('error', (err: Error) => options.onError?.(err));
  }

  async #ready(name: string): Promise<void> {
    this.#started ??= this.#boss.start();
    await this.#started;
    if (this.#created.has(name)) return;
    for (const [queue, policy] of [[name, 'standard'], [singletonQueue(name), 'stately']] as const) {
      if (await this.#boss.getQueue(queue)) continue;
      try {
        await this.#boss.createQueue(queue, {
          name: queue, policy, retryLimit: DEFAULT_RETRY_LIMIT, retryDelay: this.#options.retryDelaySeconds ?? 5,
          expireInSeconds: this.#options.leaseSeconds ?? 60,
        });
      } catch (err) {
        // Another process created it first.
        if (!(await this.#boss.getQueue(queue))) throw err;
      }
    }
    this.#created.add(name);
  }

  async enqueue(name: string, payload: JobPayload, options: EnqueueOptions = {}): Promise<string | null> {
    await this.#ready(name);
    return this.#boss.send(options.singletonKey !== undefined ? singletonQueue(name) : name, payload, {
      ...(options.runAt && { startAfter: options.runAt }),
      ...(options.singletonKey !== undefined && { singletonKey: options.singletonKey }),
      retryLimit: options.retryLimit ?? DEFAULT_RETRY_LIMIT,
      retryDelay: this.#options.retryDelaySeconds ?? 5,
      expireInSeconds: options.leaseMs !== undefined ? Math.max(1, Math.ceil(options.leaseMs / 1000)) : this.#options.leaseSeconds ?? 60,
    });
  }

  async work(name: string, handler: JobHandler, options: WorkOptions = {}): Promise<void> {
    await this.#ready(name);
    const concurrency = options.concurrency ?? 1;
    for (const queue of [name, singletonQueue(name)]) {
      for (let i = 0; i < concurrency; i++) {
        await this.#boss.work<JobPayload>(queue, { batchSize: 1, pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? 0.5 }, async (jobs) => {
          for (const job of jobs) await handler(job.data);
        });
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    await this.#started;
    await this.#boss.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}

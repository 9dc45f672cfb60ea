import type { Logger } from 'pino';
import { request } from 'undici';
import { eventSettings } from '../events/event-settings.ts';
import { signatures } from '../events/event-service.ts';
import type { InstanceRepository } from '../instances/instance-repository.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Clock } from '../platform/clock.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import { withoutUrlCredentials } from '../platform/url-credentials.ts';
import type { BulkRepository } from './bulk-repository.ts';
import { statusJson } from './bulk-status.ts';

export const BULK_CALLBACK_JOB = 'bulk.callback';
/** Attempts at a callback, spaced by the queue's back-off, before it is given up (and logged). */
const CALLBACK_ATTEMPTS = 6;
/** How long after a job's end its callback counts as missed when none was queued. */
const MISSED_AFTER_MS = 30_000;

export interface BulkCallbacksDeps {
  jobs: BulkRepository;
  instances: InstanceRepository;
  queue: JobQueue;
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
}

/**
 * `Elements-Async-Callback-Url`: when a job ends, its status is POSTed there, signed with the
 * instance's `event.notification.signature.key` exactly as event notifications are
 * (`Elements-Webhook-Signature`, `Elements-Webhook-Timestamp-Signature`). Sent from the job
 * queue, retried with back-off while the receiver fails.
 */
export class BulkCallbacks {
  constructor(private readonly deps: BulkCallbacksDeps) {}

  async start(): Promise<void> {
    await this.deps.queue.work(BULK_CALLBACK_JOB, (p) => this.send(String(p.jobId)), { concurrency: 2 });
  }

  /** The job ended: its callback, if it has one, is queued, and noted as queued. */
  async ended(jobId: string): Promise<void> {
    const job = await this.deps.jobs.byId(jobId);
    if (!job?.callback_url_enc || job.callback_queued_at !== null) return;
    await this.deps.queue.enqueue(BULK_CALLBACK_JOB, { jobId }, { singletonKey: `callback:${jobId}`, retryLimit: CALLBACK_ATTEMPTS - 1 });
    await this.deps.jobs.markCallbackQueued(jobId, this.deps.clock.now().toISOString());
  }

  /**
   * Queues the callbacks of jobs that ended over half a minute ago and have none queued: their
   * process died between the job's end and the queueing, or the queue refused it then. The
   * half minute leaves the ending process time to queue and note its own, so that a callback is
   * not sent twice. Returns how many were queued.
   */
  async queueMissed(): Promise<number> {
    const endedBefore = new Date(this.deps.clock.now().getTime() - MISSED_AFTER_MS).toISOString();
    const ids = await this.deps.jobs.callbacksNotQueued(endedBefore, 100);
    for (const id of ids) await this.ended(id);
    return ids.length;
  }

  /** Sends one callback; throws (and so is retried by the queue) when the receiver does not take it. */
  async send(jobId: string): Promise<void> {
    const job = await this.deps.jobs.byId(jobId);
    const url = job && this.deps.jobs.callbackUrl(job);
    if (!job || !url) return;
    const instance = await this.deps.instances.find(job.instance_id);
    // Never send a notification without the signature its receiver expects.
    if (!instance) return;
    const body = JSON.stringify(statusJson(job));
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const key = eventSettings(instance.configuration, []).signatureKey;
    const target = withoutUrlCredentials(url);
    const res = await request(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'switchboard-bulk/1',
        'Elements-Webhook-Id': `bulk-${job.id}`,
        'Elements-Webhook-Timestamp': String(timestamp),
        ...(key && signatures(key, body, timestamp)),
        ...(target.authorization && { authorization: target.authorization }),
      },
      body,
      dispatcher: this.deps.http.dispatcher(),
      headersTimeout: this.deps.timeoutMs,
      bodyTimeout: this.deps.timeoutMs,
      signal: AbortSignal.timeout(this.deps.timeoutMs),
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      this.deps.logger.warn({ bulkJob: job.id, status: res.statusCode }, 'bulk job callback refused; it is retried');
      throw new Error(`The bulk callback answered HTTP ${res.statusCode}`);
    }
  }
}

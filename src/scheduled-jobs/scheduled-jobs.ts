import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Identity } from '../auth/identity.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Clock } from '../platform/clock.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { Inject } from '../platform/http/in-process-call.ts';
import type { RouteAuthLookup } from '../platform/http/route-lookup.ts';
import { CronTrigger } from './cron-trigger.ts';
import type { JobScope, ScheduledJob, ScheduledJobRepository } from './scheduled-job-repository.ts';
import type { NewJobBody } from './schemas.ts';
import type { Database } from '../store/tables.ts';

/** The queue job that stands for one fire of one scheduled job. */
export const FIRE_JOB = 'scheduled-job-fire';

/** How often a worker looks for jobs whose queued fire was lost, and how late a fire must be to count. */
const RECOVER_EVERY_MS = 60_000;
/** Headers that describe the connection a call came on, not the call: a job cannot set them. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'expect', 'upgrade', 'te']);
/** Characters a path of this API has none of (the check is a linear scan). */
const NOT_IN_PATH = /[\s#\\]/;

export interface ScheduledJobsDeps {
  jobs: ScheduledJobRepository;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** `/elements/api-v2`: every job calls a path under it. */
  apiPrefix: string;
  /** The shortest interval between two fires of one job. */
  minIntervalMs: number;
  /** Jobs one organization may have. */
  maxPerOrganization: number;
  /** The `Authorization` of a user's calls as their secrets are now; undefined for a user who may call no more. */
  authorizationOf: (organizationId: number, userId: number, elementToken?: string) => Promise<string | undefined>;
  /**
   * The longest a call can last: a fire is held this long before its worker counts as dead, so
   * the next fire of its job never starts while it still runs.
   */
  callLimitMs: number;
}

interface FirePayload {
  jobId: string;
  fireAt: string;
}

/** The jobs the caller may see: the organization's, or their account's outside the default one. */
export const jobScope = (identity: Identity): JobScope => ({
  organizationId: identity.organizationId,
  accountId: identity.inDefaultAccount ? undefined : identity.user.accountId,
});

const headerNamed = (headers: Record<string, string>, name: string) => Object.keys(headers).find((k) => k.toLowerCase() === name);

/**
 * Scheduled jobs (open-connectors-api.md §9.3): a call of this API (usually a hub call) made on a
 * Quartz cron trigger, as the user who made the job, through every hook and route a call over the
 * network takes, so it is authenticated, limited and recorded in usage alike. The user's secrets
 * are read at each fire rather than stored with the job: a job made from the console (which signs
 * in by session, without secrets) runs too, and a user who is deactivated or deleted calls no more.
 *
 * Each fire is a job of the job queue, queued for its time with the scheduled job's id as its
 * singleton key: it survives restarts, and whichever worker takes it claims the fire in the
 * database first (`claimFire`), so a fire runs once, never twice, whatever the number of workers.
 * The claim queues the next fire before the call is made. A fire missed while no worker ran is
 * made once when one starts again, and the trigger goes on from then.
 */
export class ScheduledJobs {
  #recovery: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ScheduledJobsDeps) {}

  /** Refused with a 400 when its call could not be made as asked: `routes` tells which route would serve it. */
  async create(identity: Identity, body: NewJobBody, routes: RouteAuthLookup): Promise<ScheduledJob> {
    const now = this.deps.clock.now();
    const uri = body.uri;
    const rawPath = uri.split('?')[0]!;
    const path = decodedPath(rawPath);
    const segments = path?.split('/') ?? [];
    if (path === undefined || !path.startsWith(`${this.deps.apiPrefix}/`) || NOT_IN_PATH.test(uri) || segments.some((s) => s === '.' || s === '..'))
      throw badRequest(`uri must be a path of this API, starting with ${this.deps.apiPrefix}/ (e.g. ${this.deps.apiPrefix}/hubs/helpdesk/incidents)`);
    if (segments[this.deps.apiPrefix.split('/').length] === 'jobs') throw badRequest('A job cannot call /jobs');
    const trigger = CronTrigger.parse(body.trigger.cron, now, this.deps.minIntervalMs);
    const headers = { ...body.headers };
    const refused = Object.keys(headers).find((h) => TRANSPORT_HEADERS.has(h.toLowerCase()));
    if (refused) throw badRequest(`headers.${refused.slice(0, 100)}: a job's call cannot set this header`);
    const auth = routes(body.method, rawPath);
    if (auth === undefined) throw badRequest(`uri: this API has no ${body.method} ${rawPath.slice(0, 200)}`);
    if (auth === 'hub' && identity.elementToken === undefined && !headerNamed(headers, 'authorization'))
      throw badRequest(
        `uri is a hub call, made with an instance's token: make the job with "Element <token>" in this request's Authorization header, or give headers.Authorization`,
      );
    if ((await this.deps.jobs.countIn(identity.organizationId)) >= this.deps.maxPerOrganization)
      throw badRequest(`An organization has at most ${this.deps.maxPerOrganization} jobs: delete one first`);
    const next = trigger.nextAfter(now)!.toISOString();
    const job: ScheduledJob = {
      id: randomBytes(12).toString('hex'),
      organization_id: identity.organizationId,
      account_id: identity.user.accountId,
      user_id: identity.user.id,
      name: body.name,
      description: body.description ?? null,
      cron: body.trigger.cron,
      call: {
        method: body.method,
        uri,
        query: body.query ?? {},
        ...(body.body !== undefined && { body: body.body }),
        headers,
        ...(identity.elementToken !== undefined && { elementToken: identity.elementToken }),
      },
      next_fire_at: next,
      last_fire_at: null,
      last_status: null,
      last_request_id: null,
      last_error: null,
      last_finished_at: null,
      created_at: now.toISOString(),
    };
    // The job and its first fire are stored together: a failure leaves neither.
    await this.deps.jobs.create(job, (trx) => this.#queueFire({ jobId: job.id, fireAt: next }, trx));
    return job;
  }

  async get(identity: Identity, id: string): Promise<ScheduledJob> {
    const job = await this.deps.jobs.find(id, jobScope(identity));
    if (!job) throw notFound(`No job ${id}`);
    return job;
  }

  /** Deleted at once; a fire already running finishes its call, and no later one starts. */
  async delete(identity: Identity, id: string): Promise<void> {
    if (!(await this.deps.jobs.delete(id, jobScope(identity)))) throw notFound(`No job ${id}`);
  }

  /** Fires jobs in this process, with `inject` making their calls. */
  async start(inject: Inject): Promise<void> {
    await this.deps.queue.work(FIRE_JOB, (p) => this.fire({ jobId: String(p.jobId), fireAt: String(p.fireAt) }, inject), { concurrency: 4 });
    const recover = () =>
      this.recoverLostFires().catch((err: Error) =>
        this.deps.logger.warn({ err: err.message }, 'looking for lost job fires failed; it runs again in a minute'),
      );
    this.#recovery = setInterval(recover, RECOVER_EVERY_MS);
    this.#recovery.unref();
    void recover();
  }

  stop(): void {
    clearInterval(this.#recovery);
  }

  /** Queues the fire of every job that is a minute late: its queued fire was lost. Returns how many. */
  async recoverLostFires(): Promise<number> {
    const late = await this.deps.jobs.dueBefore(new Date(this.deps.clock.now().getTime() - RECOVER_EVERY_MS).toISOString(), 500);
    let queued = 0;
    for (const job of late) if (await this.#queueFire({ jobId: job.id, fireAt: job.next_fire_at })) queued++;
    return queued;
  }

  /** One fire: claimed, the next one queued, then the call made and its outcome kept. */
  async fire(payload: FirePayload, inject: Inject): Promise<void> {
    const job = await this.deps.jobs.find(payload.jobId);
    if (!job || job.next_fire_at !== payload.fireAt) return;
    const now = this.deps.clock.now();
    // A fire made late (no worker ran at its time) is made once; the trigger goes on from now. One
    // taken early (by a node whose clock is behind) goes on from its own time: the next fire is
    // always a later one, or a second claim of this one would succeed.
    const from = new Date(Math.max(now.getTime(), Date.parse(payload.fireAt)));
    const next = CronTrigger.parse(job.cron, now, 0).nextAfter(from)?.toISOString() ?? null;
    if (!(await this.deps.jobs.claimFire(job.id, payload.fireAt, next))) return;
    if (next !== null) {
      await this.#queueFire({ jobId: job.id, fireAt: next }).catch((err: Error) =>
        this.deps.logger.warn({ jobId: job.id, err: err.message }, 'the next fire of a job was not queued; the recovery queues it once it is late'),
      );
    }
    const outcome = await this.#call(job, inject);
    await this.deps.jobs.fireDone(job.id, payload.fireAt, { ...outcome, finishedAt: this.deps.clock.now().toISOString() });
    this.deps.logger.info({ jobId: job.id, status: outcome.status, callRequestId: outcome.requestId }, 'scheduled job fired');
  }

  /**
   * The job's call, made as the user who made the job: with their secrets as they are now (and the
   * instance token the job was made with), unless the job's headers give an `Authorization`.
   */
  async #call(job: ScheduledJob, inject: Inject): Promise<{ status: number | null; requestId: string | null; error: string | null }> {
    const call = job.call;
    const [path, own] = call.uri.split('?', 2) as [string, string | undefined];
    const query = new URLSearchParams(own);
    for (const [k, v] of Object.entries(call.query)) query.append(k, v);
    const search = query.toString();
    const headers = { ...call.headers };
    if (call.body !== undefined && !headerNamed(headers, 'content-type')) headers['content-type'] = 'application/json';
    try {
      if (!headerNamed(headers, 'authorization')) {
        const authorization = await this.deps.authorizationOf(job.organization_id, job.user_id, call.elementToken);
        if (authorization === undefined) return { status: null, requestId: null, error: 'The user who made the job is no longer active' };
        headers.authorization = authorization;
      }
      const res = await inject({
        method: call.method,
        url: search ? `${path}?${search}` : path,
        headers,
        payload: call.body === undefined ? undefined : JSON.stringify(call.body),
      });
      const requestId = typeof res.headers['elements-request-id'] === 'string' ? res.headers['elements-request-id'] : null;
      return { status: res.statusCode, requestId, error: res.statusCode >= 400 ? errorMessage(res.body) : null };
    } catch (err) {
      return { status: null, requestId: null, error: `The call could not be made: ${(err as Error).message}` };
    }
  }

  #queueFire(payload: FirePayload, within?: Kysely<Database>): Promise<string | null> {
    return this.deps.queue.enqueue(
      FIRE_JOB,
      { ...payload },
      {
        runAt: new Date(payload.fireAt),
        singletonKey: payload.jobId,
        retryLimit: 0,
        leaseMs: this.deps.callLimitMs,
        ...(within && { within }),
      },
    );
  }
}

/** A path with its percent-escapes decoded, as the router reads it; undefined when one is malformed. */
function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** The message of an error answer (the Open Connectors error body), at most 500 characters. */
function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 500);
  } catch {
    // Not JSON: its text, cut.
  }
  return body.slice(0, 500);
}

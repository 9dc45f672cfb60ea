import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Config } from './platform/config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { LookupHasher, RequestIds, type Cipher } from './platform/crypto.ts';
import { createLogger } from './platform/logger.ts';
import { type ClosingStep, closeInSteps } from './platform/closing-steps.ts';
import { Metrics } from './platform/metrics.ts';
import { connectionCloser } from './platform/http/connection-closer.ts';
import { registerOperationsRoutes, requestMetrics } from './platform/http/operations.ts';
import { UsageRepository } from './usage/usage-repository.ts';
import { UsageRecorder } from './usage/usage-recorder.ts';
import { TraceRecorder } from './traces/trace-recorder.ts';
import { TraceRepository } from './traces/trace-repository.ts';
import { registerTraceRoutes } from './traces/routes/traces.ts';
import { BulkRepository } from './bulk/bulk-repository.ts';
import { BulkService } from './bulk/bulk-service.ts';
import { registerBulkRoutes } from './bulk/routes/bulk.ts';
import { BulkCallbacks } from './bulk/bulk-callbacks.ts';
import { type AnsweredCall, registerUsageRecording, usageRecording } from './usage/usage-hook.ts';
import { registerUsageRoutes } from './usage/routes/usage.ts';
import { sql } from 'kysely';
import { AccessLogController, registerAccessLogUrls } from './platform/http/access-log.ts';
import { lazyChildLogger } from './platform/http/request-logger.ts';
import { SecretBox } from './platform/secret-box.ts';
import { logFailure, registerErrorHandler, toApiError } from './platform/http/error-handler.ts';
import { serverAhead } from './platform/http/server-factory.ts';
import { isDatabaseUnavailable } from './store/unavailable.ts';
import { registerNotFound } from './platform/http/not-found.ts';
import { registerCors } from './platform/http/cors.ts';
import { registerJsonParser } from './platform/http/json-parser.ts';
import { registerApiDocument } from './platform/http/api-document.ts';
import { ROUTER_OPTIONS } from './platform/http/route-lookup.ts';
import { registerSchemaCompilers } from './platform/http/schema-compilers.ts';
import { API_CACHE_CONTROL, SAFETY_HEADERS } from './platform/http/response-headers.ts';
import { CONNECT_TIMEOUT_MS, type Store } from './store/db.ts';
import { loadLookupKey, openKeyring } from './store/lookup-key.ts';
import { TenancyRepository } from './tenancy/tenancy-repository.ts';
import { TenancyService } from './tenancy/tenancy-service.ts';
import { registerAccountRoutes } from './tenancy/routes/accounts.ts';
import { registerUserRoutes } from './tenancy/routes/users.ts';
import { registerPasswordPolicyRoutes } from './tenancy/routes/password-policies.ts';
import { registerAuthentication } from './auth/authenticate.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { ConsoleSessions } from './auth/console-sessions.ts';
import { PasswordCheck } from './auth/password-check.ts';
import { registerConsoleLogin } from './auth/routes/console-login.ts';
import { discoverElements, type ElementRegistry } from './elements/registry.ts';
import { registerElementCatalogRoutes } from './elements/routes/catalog.ts';
import { registerHubCatalogRoutes } from './hubs/routes/catalog.ts';
import { createOutboundHttp, type OutboundHttp } from './platform/outbound-http.ts';
import { OutboundPolicy } from './platform/outbound-policy.ts';
import { InstanceRepository, type Instance } from './instances/instance-repository.ts';
import { HubSessionCache } from './auth/hub-session-cache.ts';
import { HubResponseCache } from './hubs/response-cache.ts';
import { InstanceService } from './instances/instance-service.ts';
import { registerInstanceRoutes } from './instances/routes/instances.ts';
import { registerInstanceConfigurationRoutes } from './instances/routes/configuration.ts';
import pino from 'pino';
import { type HubReads, registerHubRoutes } from './hubs/hub-router.ts';
import { readLane } from './hubs/read-lane.ts';
import { registerDocsRoutes } from './hubs/routes/docs.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { SqlJobQueue } from './jobs/sql/sql-job-queue.ts';
import { LocalSignals, type Signals } from './platform/signals.ts';
import { PostgresSignals } from './store/postgres-signals.ts';
import { Invalidations } from './platform/invalidations.ts';
import { VendorDataCache } from './platform/vendor-data-cache.ts';
import { EventRepository } from './events/event-repository.ts';
import { EventService } from './events/event-service.ts';
import { WebhookRemovalRepository } from './events/webhook-removal-repository.ts';
import { WebhookRemovals } from './events/webhook-removals.ts';
import { EventSources } from './events/event-sources.ts';
import { EventWorker } from './events/event-worker.ts';
import { registerWebhookIntake } from './events/routes/webhook-intake.ts';
import { registerEventLogRoutes } from './events/routes/event-log.ts';
import { registerEventAnalyticsRoutes } from './events/routes/event-analytics.ts';
import { AsyncHubCalls } from './events/async-hub-calls.ts';
import { registerConsole } from './platform/http/console.ts';
import { TransformationService } from './transformations/transformation-service.ts';
import { registerTransformationRoutes } from './transformations/routes/definitions.ts';
import { ScheduledJobRepository } from './scheduled-jobs/scheduled-job-repository.ts';
import { ScheduledJobs } from './scheduled-jobs/scheduled-jobs.ts';
import { registerJobRoutes } from './scheduled-jobs/routes/jobs.ts';
import { NotificationRepository } from './notifications/notification-repository.ts';
import { NotificationService } from './notifications/notification-service.ts';
import { registerNotificationRoutes } from './notifications/routes/notifications.ts';

export const API_PREFIX = '/elements/api-v2';
/** The version the API document names: the package's. */
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface AppDeps {
  config: Config;
  store: Store;
  clock?: Clock;
  /** Overrides the master keyring (tests); normally loaded from the config. */
  cipher?: Cipher;
  registry?: ElementRegistry;
  /** `false` silences logs (tests); otherwise pino at `config.logLevel`. */
  logger?: boolean;
  /** Outbound connections to vendors; tests may inject a MockAgent-backed one. */
  http?: OutboundHttp;
}

export interface Services {
  logger: pino.Logger;
  metrics: Metrics;
  usageRepo: UsageRepository;
  /** Takes one record per API call and writes them in batches. */
  usage: UsageRecorder;
  traceRepo: TraceRepository;
  bulkJobs: BulkRepository;
  /** Bulk exports; `start()` runs their steps in a process that works. */
  bulk: BulkService;
  scheduledJobRepo: ScheduledJobRepository;
  /** Scheduled API calls (`/jobs`); `start()` fires them in a process that works. */
  scheduledJobs: ScheduledJobs;
  /** Records the vendor calls of instances with trace logging on. */
  traces: TraceRecorder;
  /** Platform notifications (`/notifications`); `start()` sends their deliveries in a process that works. */
  notifications: NotificationService;
  instanceRepo: InstanceRepository;
  transformations: TransformationService;
  queue: JobQueue;
  /** Hints between the processes sharing the store (job wake-ups, cache invalidation). */
  signals: Signals;
  /** Every process hears changes through these, once it follows them (serving or working). */
  invalidations: Invalidations;
  vendorData: VendorDataCache;
  eventRepo: EventRepository;
  events: EventService;
  eventSources: EventSources;
  /** Hub calls with `Elements-Async-Request: true`. */
  asyncCalls: AsyncHubCalls;
  worker: EventWorker;
  /** Set by the HTTP server once it listens, unless SWITCHBOARD_PUBLIC_URL says otherwise. */
  publicUrl: { value: string };
  hubCache: HubSessionCache<Instance>;
  /** Hub GET answers of the instances with `cachingEnabled`. */
  responses: HubResponseCache;
  tenancy: TenancyService;
  tenancyRepo: TenancyRepository;
  instances: InstanceService;
  box: SecretBox;
  registry: ElementRegistry;
  clock: Clock;
  http: OutboundHttp;
  /** The outbound HTTP of one element's vendor calls, counted in the metrics. */
  vendorHttp: (elementKey: string) => OutboundHttp;
  /** Which addresses outbound connections may reach; learns switchboard's own port when it listens. */
  outboundPolicy: OutboundPolicy;
  /** Stops the worker and releases connections the services hold (not the store). */
  close(): Promise<void>;
  /** The steps of `close`, for a caller that closes more around them and names each step alike. */
  closingSteps: readonly ClosingStep[];
}

/** Builds the services over a migrated store. Used by the HTTP app and by CLI commands alike. */
export async function buildServices(deps: AppDeps): Promise<Services> {
  const clock = deps.clock ?? systemClock;
  const cipher = deps.cipher ?? (await openKeyring(deps.store, deps.config));
  const box = new SecretBox(cipher, new LookupHasher(await loadLookupKey(deps.store, cipher, clock.now())));
  const tenancyRepo = new TenancyRepository(deps.store.db, box);
  const tenancy = new TenancyService(tenancyRepo, clock);
  const registry = deps.registry ?? (await discoverElements());
  const outboundPolicy = new OutboundPolicy({ allow: deps.config.outboundAllow, deny: deps.config.outboundDeny });
  const http =
    deps.http ?? createOutboundHttp({ connectTimeoutMs: 10_000, connectionsPerOrigin: 16, answerLimit: deps.config.vendorAnswerLimit, policy: outboundPolicy });
  const { logger, droppedLines } = deps.logger === false ? { logger: pino({ enabled: false }), droppedLines: () => 0 } : createLogger(deps.config.logLevel);
  // The queue's depth and the writers' counts are read when the metrics are scraped; by then they exist.
  const metrics = new Metrics({
    droppedLogLines: droppedLines,
    queueDepth: () => queue.depth(),
    recordWriters: () => [
      { what: 'usage', ...usage.stats() },
      { what: 'traces', ...traces.stats() },
    ],
  });
  // The one place that chooses how processes signal each other: LISTEN/NOTIFY on PostgreSQL;
  // on SQLite, one process owns the file and signals stay in it.
  const signals: Signals =
    deps.store.dialect === 'postgres'
      ? new PostgresSignals({
          connectionString: deps.config.databaseUrl!,
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          silenceMs: deps.config.databaseTimeoutMs,
          onError: (err) => logger.warn({ err: err.message }, 'signal connection lost; reconnecting'),
        })
      : new LocalSignals();
  // Caches drop what changed on any node: instances, users, transformations, vendor data.
  deps.store.onConnectionError((err) => logger.warn({ err: err.message }, 'a database connection was lost; the pool opens another when one is needed'));
  const invalidations = new Invalidations(signals, logger);
  const vendorData = new VendorDataCache(invalidations);
  const hubCache = new HubSessionCache<Instance>(deps.config.hubCacheTtlMs);
  const responses = new HubResponseCache(invalidations, deps.config.responseCacheBytes);
  invalidations.on((change) => {
    if (change === 'everything' || change.kind === 'instance' || change.kind === 'users') hubCache.clear();
  });
  const instanceRepo = new InstanceRepository(deps.store.db, box);
  const vendorHttp = metrics.vendorHttp(http);
  const instances = new InstanceService(instanceRepo, registry, vendorHttp, clock, logger, deps.config.vendorTimeoutMs, outboundPolicy, (id) =>
    invalidations.announce({ kind: 'instance', id }),
  );
  tenancy.onUserChange(() => void invalidations.announce({ kind: 'users' }));
  const queue = new SqlJobQueue({
    db: deps.store.db,
    dialect: deps.store.dialect,
    clock,
    signals,
    // On SQLite a look costs no round trip, so delayed jobs start closer to their time.
    pollIntervalMs: deps.store.dialect === 'postgres' ? 1000 : 250,
    onError: (err) => logger.warn({ err: (err as Error)?.message ?? String(err) }, 'job queue error; it keeps going'),
    onOutcome: (name, outcome) => metrics.jobs.inc({ name, outcome }),
  });
  const traceRepo = new TraceRepository(deps.store.db);
  const traces = new TraceRecorder(traceRepo, clock, logger, {
    retentionMs: 24 * 3600_000,
    organizationBytes: deps.config.traceLimitBytes,
    retryable: isDatabaseUnavailable,
  });
  const usageRepo = new UsageRepository(deps.store.db, deps.store.dialect);
  const usage = new UsageRecorder(usageRepo, clock, logger, {
    // Written within 0.2 s in batches of 200: records die young instead of aging into the old
    // generation of the heap, and the console shows a call almost at once.
    flushMs: 200,
    batchSize: 200,
    maxPending: 50_000,
    // Kept in memory while the database does not answer, and written once it does.
    retryable: isDatabaseUnavailable,
    retentionDays: deps.config.usageRetentionDays,
    // With an access line for every call, a lost record's call is in the log already.
    logLost: deps.config.accessLog === 'unrecorded',
    // A record never appears before the traces of its vendor calls (GET /usage/{id} shows them).
    beforeWrite: () => traces.flush(),
  });
  const eventRepo = new EventRepository(deps.store.db, box);
  const publicUrl = { value: deps.config.publicUrl ?? `http://${deps.config.host}:${deps.config.port}` };
  const events = new EventService({
    events: eventRepo,
    instances: instanceRepo,
    registry,
    queue,
    http,
    clock,
    logger,
    delivery: { baseDelayMs: deps.config.events.deliveryBaseDelayMs, timeoutMs: deps.config.events.deliveryTimeoutMs },
    vendorTimeoutMs: deps.config.vendorTimeoutMs,
    vendorData,
    failurePolicy: (accountId) => tenancy.failurePolicy(accountId),
    deliveryOutcomes: metrics.deliveries,
    vendorHttp,
    responses,
    traces,
  });
  const webhookRemovals = new WebhookRemovals({
    repo: new WebhookRemovalRepository(deps.store.db, box),
    registry,
    queue,
    contextOf: (elementKey, instance) => events.contextOfDeleted(elementKey, instance),
    clock,
    logger,
    outcomes: metrics.webhookRemovals,
  });
  const eventSources = new EventSources(eventRepo, registry, events, webhookRemovals, clock, () => publicUrl.value);
  instances.follow({ changed: (i) => eventSources.sync(i), deleting: (i, vendorNow) => eventSources.remove(i, vendorNow) });
  tenancy.beforeDeleting((owner) => instances.deleteOwnedBy(owner));
  const transformations = new TransformationService(deps.store.db, registry, clock, invalidations, deps.config.hubCacheTtlMs);
  // A hub call lasts at most the vendor timeout (twice, with a 429 waited out) and some time of our own.
  const asyncCalls = new AsyncHubCalls({
    events: eventRepo,
    queue,
    service: events,
    clock,
    logger,
    abandonedAfterMs: 2 * deps.config.vendorTimeoutMs + 60_000,
  });
  const worker = new EventWorker({
    queue,
    events: eventRepo,
    service: events,
    asyncCalls,
    instances: instanceRepo,
    markInvalid: (instance) => instances.markInvalid(instance),
    registry,
    clock,
    logger,
    tickMs: deps.config.events.tickMs,
    deliveryConcurrency: deps.config.events.deliveryConcurrency,
    pollConcurrency: deps.config.events.pollConcurrency,
    removals: webhookRemovals,
    transformations,
  });
  const bulkJobs = new BulkRepository(deps.store.db, box);
  const callbacks = new BulkCallbacks({
    jobs: bulkJobs,
    instances: instanceRepo,
    queue,
    http,
    clock,
    logger,
    timeoutMs: deps.config.events.deliveryTimeoutMs,
  });
  const bulk = new BulkService({
    jobs: bulkJobs,
    instances: instanceRepo,
    registry,
    queue,
    transformations,
    contextOf: (instance) => events.context(instance),
    clock,
    logger,
    retentionDays: deps.config.bulkRetentionDays,
    vendorTimeoutMs: deps.config.vendorTimeoutMs,
    markInvalid: (instance) => instances.markInvalid(instance),
    callbacks,
    importConcurrency: deps.config.bulkImportConcurrency,
    maxImportRows: deps.config.bulkMaxRows,
  });
  const scheduledJobRepo = new ScheduledJobRepository(deps.store.db, box);
  const scheduledJobs = new ScheduledJobs({
    jobs: scheduledJobRepo,
    queue,
    clock,
    logger,
    apiPrefix: API_PREFIX,
    minIntervalMs: deps.config.jobs.minIntervalMs,
    maxPerOrganization: deps.config.jobs.perOrganization,
    authorizationOf: (organizationId, userId, elementToken) => tenancy.authorizationOf(organizationId, userId, elementToken),
    // As for asynchronous calls: the vendor timeout twice (a 429 waited out) and some time of our own.
    callLimitMs: 2 * deps.config.vendorTimeoutMs + 60_000,
  });
  const notifications = new NotificationService({
    repo: new NotificationRepository(deps.store.db, box),
    queue,
    http,
    clock,
    logger,
    delivery: { baseDelayMs: deps.config.events.deliveryBaseDelayMs, timeoutMs: deps.config.events.deliveryTimeoutMs },
    failurePolicy: (accountId) => tenancy.failurePolicy(accountId),
    deliveryOutcomes: metrics.notificationDeliveries,
    outboundPolicy,
  });
  const closingSteps: ClosingStep[] = [
    ['bulk jobs', () => bulk.stop()],
    ['scheduled jobs', () => scheduledJobs.stop()],
    ['notification deliveries', () => notifications.stop()],
    ['usage records', () => usage.close()],
    ['traces', () => traces.close()],
    ['the running jobs', () => worker.stop()],
    ['the signal connection', () => signals.close()],
    ['vendor calls in flight', () => http.close()],
  ];
  return {
    logger,
    metrics,
    usageRepo,
    usage,
    traceRepo,
    traces,
    bulkJobs,
    bulk,
    scheduledJobRepo,
    scheduledJobs,
    notifications,
    instanceRepo,
    transformations,
    queue,
    signals,
    invalidations,
    vendorData,
    eventRepo,
    events,
    eventSources,
    asyncCalls,
    worker,
    publicUrl,
    hubCache,
    responses,
    tenancy,
    tenancyRepo,
    instances,
    box,
    registry,
    clock,
    http,
    vendorHttp,
    outboundPolicy,
    close: () => closeInSteps(logger, closingSteps),
    closingSteps,
  };
}

/**
 * The HTTP application: wires services into feature plugins. The caller owns the services and
 * closes them after the app (in-flight requests may still use them).
 */
export async function buildApp(deps: AppDeps, s: Services): Promise<FastifyInstance> {
  s.invalidations.follow();
  const requestIds = new RequestIds();
  const usage = usageRecording({ recorder: s.usage, clock: s.clock, apiPrefix: API_PREFIX, enabled: deps.config.usageRecording });
  // A call with a usage record gets no access line unless asked: the record holds the same fields,
  // and writing both cost a tenth of a proxied hub read's CPU.
  const inUsage = deps.config.accessLog === 'unrecorded' ? usage?.covers : undefined;
  const accessLog = deps.logger === false ? undefined : new AccessLogController(s.logger, inUsage && ((request) => inUsage(request.identity, request.url)));
  const countRequest = requestMetrics(s.metrics);
  /** What Fastify's response hooks and access log do for a call it answers. */
  const answeredOutsideFastify = (call: AnsweredCall) => {
    countRequest(call.route, call.method, call.status, call.elapsedMs);
    usage?.record(call);
    const recorded = inUsage?.(call.identity, call.url) ?? false;
    accessLog?.completed(call.requestId, call.method, call.loggedUrl ?? call.url, call.status, call.elapsedMs, call.error, recorded);
  };
  // Hub object reads are answered ahead of Fastify (src/hubs/read-lane.ts) once the hub's routes
  // exist. Not behind a trusted proxy: the caller's address is then Fastify's to work out.
  let hubReads: HubReads | undefined;
  /** Set when the server begins to close. */
  let closing = false;
  const lane =
    deps.config.trustProxy === false
      ? readLane({
          apiPrefix: API_PREFIX,
          reads: () => (closing ? undefined : hubReads),
          nextRequestId: () => requestIds.next(),
          failure: (requestId, error) => {
            const apiError = toApiError(error, isDatabaseUnavailable);
            logFailure(s.logger.child({ reqId: requestId }), apiError, error);
            return apiError;
          },
          answered: answeredOutsideFastify,
        })
      : undefined;
  const app = Fastify({
    ...(deps.logger === false
      ? { logger: false }
      : { loggerInstance: s.logger as FastifyBaseLogger, logController: accessLog, childLoggerFactory: lazyChildLogger }),
    bodyLimit: deps.config.bodyLimit,
    // A client that sends its request slowly (a byte every few seconds) would otherwise hold its
    // socket for ever: the whole request must arrive within this time, its headers sooner.
    requestTimeout: deps.config.requestTimeoutMs,
    // Node checks these timeouts on an interval (30 s by default), which would let a slow
    // request overstay its limit by that much.
    http: { headersTimeout: Math.min(deps.config.requestTimeoutMs, 20_000), connectionsCheckingInterval: Math.min(deps.config.requestTimeoutMs / 4, 5000) },
    trustProxy: deps.config.trustProxy,
    genReqId: () => requestIds.next(),
    requestIdHeader: false,
    routerOptions: ROUTER_OPTIONS,
    forceCloseConnections: 'idle',
    ...(lane && { serverFactory: serverAhead(lane) }),
  });
  const connections = connectionCloser(app.server);
  registerSchemaCompilers(app);
  // A callback URL or siteAddress pointing back at switchboard itself is refused.
  app.addHook('onListen', (done) => {
    const address = app.server.address();
    if (address && typeof address === 'object') s.outboundPolicy.addOwnPort(address.port);
    done();
  });
  app.addHook('preClose', (done) => {
    // From now on the read lane leaves every call to Fastify, which answers 503 with
    // `Connection: close`; calls still being answered must not hold their connections open after.
    closing = true;
    connections.closeAsTheyIdle();
    done();
  });
  // A call answered while the server closes tells its client to send no more on the connection.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  await registerApiDocument(app, API_PREFIX, PACKAGE_VERSION);

  // Hooks on every request are callback-style: an async hook costs a promise and a turn of the
  // microtask queue per request, which shows on the hub's hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Elements-Request-Id', request.id);
    reply.header('x-content-type-options', SAFETY_HEADERS['x-content-type-options']);
    reply.header('referrer-policy', SAFETY_HEADERS['referrer-policy']);
    if (request.url.startsWith('/elements/')) reply.header('Cache-Control', API_CACHE_CONTROL);
    done();
  });
  registerAccessLogUrls(app);
  registerCors(app);
  registerErrorHandler(app, isDatabaseUnavailable);
  registerNotFound(app);
  registerJsonParser(app);
  const sessions = deps.config.consoleLogin.enabled
    ? new ConsoleSessions(deps.store.db, s.box, s.clock, deps.config.consoleLogin.sessionTtlMinutes)
    : undefined;
  registerAuthentication(app, { tenancy: s.tenancy, hubCache: s.hubCache as HubSessionCache<unknown>, sessions });
  registerUsageRecording(app, usage);
  registerOperationsRoutes(app, {
    metrics: s.metrics,
    metricsToken: deps.config.metricsToken,
    readiness: [
      { name: 'database', check: () => sql`select 1`.execute(deps.store.db) },
      // The job queue is the store's `jobs` table: it answers when that table can be read.
      { name: 'job queue', check: () => deps.store.db.selectFrom('jobs').select('id').limit(1).execute() },
    ],
  });

  // One throttle for console sign-in and secret reveal: both are password guesses for an e-mail.
  const repo = s.tenancyRepo;
  const passwords = new PasswordCheck(repo, new LoginThrottle(deps.store.db, s.clock, deps.config.consoleLogin));
  if (sessions) {
    // Cookies and form posts belong to the console login alone; plugins registered in its own
    // scope add no hooks to any other route.
    await app.register(async (login) => {
      await login.register(cookie);
      await login.register(formbody, { bodyLimit: 16 * 1024 });
      registerConsoleLogin(login, {
        tenancy: s.tenancy,
        repo,
        clock: s.clock,
        passwords,
        sessions,
      });
    });
  }

  await app.register(
    async (api) => {
      registerAccountRoutes(api, s.tenancy);
      registerUserRoutes(api, s.tenancy, passwords);
      registerPasswordPolicyRoutes(api, s.tenancy);
      // Traffic: the organization's calls to the element's instances in the last 30 days.
      registerElementCatalogRoutes(api, s.registry, async (element, identity) => ({
        ...(await s.instances.countForElement(identity, element.key)),
        traffic: identity
          ? await s.usageRepo.countForElement(identity.organizationId, element.key, new Date(s.clock.now().getTime() - 30 * 86_400_000).toISOString())
          : 0,
      }));
      registerUsageRoutes(api, { usage: s.usageRepo, traces: s.traceRepo, registry: s.registry, clock: s.clock });
      registerTraceRoutes(api, { traces: s.traceRepo, instances: s.instances, registry: s.registry });
      registerBulkRoutes(api, {
        bulk: s.bulk,
        jobs: s.bulkJobs,
        instances: s.instances,
        uploadLimit: deps.config.bulkUploadLimit,
        outboundPolicy: s.outboundPolicy,
      });
      registerInstanceRoutes(api, s.instances, s.registry, s.traces);
      registerInstanceConfigurationRoutes(api, s.instances, s.registry);
      const hubDeps = {
        instances: s.instances,
        registry: s.registry,
        vendorHttp: s.vendorHttp,
        logger: s.logger,
        vendorTimeoutMs: deps.config.vendorTimeoutMs,
        vendorData: s.vendorData,
        uploadLimit: deps.config.uploadLimit,
        cache: s.hubCache,
        transformations: s.transformations,
        responses: s.responses,
        traces: s.traces,
        metrics: s.metrics,
        asyncCalls: s.asyncCalls,
        outboundPolicy: s.outboundPolicy,
      };
      hubReads = registerHubRoutes(api, hubDeps);
      registerDocsRoutes(api, hubDeps, API_PREFIX);
      registerTransformationRoutes(api, s.transformations, s.instances, s.tenancy);
      registerWebhookIntake(api, {
        events: s.eventRepo,
        instances: s.instanceRepo,
        registry: s.registry,
        service: s.events,
        transformations: s.transformations,
        logger: s.logger,
      });
      registerEventAnalyticsRoutes(api, { events: s.eventRepo, tenancy: s.tenancy, clock: s.clock });
      registerEventLogRoutes(api, {
        events: s.eventRepo,
        service: s.events,
        instances: s.instances,
        sources: s.eventSources,
        publicUrl: () => s.publicUrl.value,
      });
      registerHubCatalogRoutes(api, s.registry);
      registerJobRoutes(api, { jobs: s.scheduledJobs, repo: s.scheduledJobRepo });
      registerNotificationRoutes(api, s.notifications);
    },
    { prefix: API_PREFIX },
  );

  // The web console: static files, routes only auth 'none' (they are public assets).
  await app.register(async (ui) => {
    // The console's files are no part of the API: open, and left out of the API document.
    ui.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), auth: 'none' };
      route.schema = { ...route.schema, hide: true };
    });
    await registerConsole(ui);
  });
  return app;
}

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import multipart from '@fastify/multipart';
import { identityOf } from '../auth/authenticate.ts';
import { ApiError, badRequest, notFound, rejectsCredentials } from '../platform/errors.ts';
import { isTrue } from '../platform/boolean-text.ts';
import { stripsNulls } from '../elements/platform-configuration.ts';
import { ownValue, setOwn } from '../platform/own-properties.ts';
import { parseOrderBy, parseWhere } from '../ceql/index.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import type { OutboundPolicy } from '../platform/outbound-policy.ts';
import type { VendorDataCache } from '../platform/vendor-data-cache.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { InstanceService } from '../instances/instance-service.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { Logger } from 'pino';
import type { HubSessionCache } from '../auth/hub-session-cache.ts';
import type { Identity } from '../auth/identity.ts';
import type { HubCallUsage } from '../usage/usage-hook.ts';
import type { Readable } from 'node:stream';
import type { TransformationService } from '../transformations/transformation-service.ts';
import type { SeriesCounter } from '../platform/metric-series.ts';
import type { Metrics } from '../platform/metrics.ts';
import { withRequestRecorder } from '../platform/observed-http.ts';
import { secretValues } from '../instances/views.ts';
import type { TraceRecorder } from '../traces/trace-recorder.ts';
import type { CachedAnswer, HubResponseCache } from './response-cache.ts';
import type { CompiledTransformation } from '../transformations/mapping.ts';
import { ObjectName } from '../transformations/schemas.ts';
import { hubContext } from './hub-context.ts';
import { commonFields, findCommonResource, listCommonResources } from './common-resources.ts';
import type { HubContext, HubFile, HubOperation, HubRequest, HubResult } from './hub-contract.ts';
import { DEFAULT_PAGE_SIZE, encodeToken, queryHash, resolvePaging } from './paging.ts';
import { shape } from './response-shaping.ts';
import { stripNullsFromJsonText } from './strip-nulls-json.ts';
import type { AsyncHubCalls } from '../events/async-hub-calls.ts';
import { asyncCallbackUrl } from '../platform/http/async-callback-url.ts';
import { injectInto } from '../platform/http/in-process-call.ts';
import { Type, type TSchema } from 'typebox';
import { errorResponses, NoQuery } from '../platform/http/schemas.ts';
import { HUB_NAME_MAX, HUB_PARAM_MAX, HubBody, HubQuery, hubPathParams, hubResponses, ObjectFieldJson } from './schemas.ts';

const RESERVED: ReadonlySet<string> = new Set(['page', 'pageSize', 'nextPage', 'where', 'orderBy', 'fields', 'raw']);
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
/** A header that says yes: `true` in any case (the first, if it came twice). */
const headerIsTrue = (v: string | string[]) => (Array.isArray(v) ? v[0] : v)?.toLowerCase() === 'true';
/** Headers an asynchronous call is not made again with: its own, and those of the connection it came on. */
const NOT_REPEATED: ReadonlySet<string> = new Set([
  'elements-async-request',
  'elements-async-callback-url',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'expect',
  'host',
]);
type RawQuery = Record<string, string | string[] | undefined>;
type HubValueResult = Extract<HubResult, { kind: 'object' | 'list' }>;
/** A query parameter's first value (a repeated parameter arrives as an array). */
const firstOf = (query: RawQuery, key: string) => {
  const v = ownValue(query, key) as RawQuery[string];
  return Array.isArray(v) ? v[0] : v;
};

export interface HubDeps {
  instances: InstanceService;
  registry: ElementRegistry;
  /** Outbound HTTP for one element's vendor calls (counted per element). */
  vendorHttp: (elementKey: string) => OutboundHttp;
  logger: Logger;
  vendorTimeoutMs: number;
  vendorData: VendorDataCache;
  /** Largest upload accepted by hub attachment calls, in bytes. */
  uploadLimit: number;
  /** Resolved identities and instances of recent hub calls. */
  cache: HubSessionCache<Instance>;
  transformations: TransformationService;
  /** Hub GET answers of the instances with `cachingEnabled`. */
  responses: HubResponseCache;
  /** Vendor calls of the instances with `traceLoggingEnabled`. */
  traces: Pick<TraceRecorder, 'httpFor'>;
  metrics?: Pick<Metrics, 'hubCache' | 'responseCache'>;
  /** Calls sent with `Elements-Async-Request: true`, answered through a callback. */
  asyncCalls: Pick<AsyncHubCalls, 'accept'>;
  /** Refuses a callback URL that could never be delivered to. */
  outboundPolicy: OutboundPolicy;
}

/**
 * An object or list answer as it goes out: its headers, and its bytes, its text (written as UTF-8)
 * or its bytes held as text, one per character (`latin1`, from `strip-nulls-json.ts`).
 */
export type HubValueAnswer = { headers: Record<string, string>; content: Buffer | string | undefined } | { headers: Record<string, string>; latin1: string };

/** A result as the answer that goes out: a value, or a stream. */
export type HubAnswer = HubValueAnswer | { headers: Record<string, string>; content: Readable };

/** A hub object read started outside Fastify (read-lane.ts). */
export interface HubRead {
  identity: Identity;
  usage: HubCallUsage;
  /** The route it runs, as Fastify's route table names it (`/elements/api-v2/hubs/:hub/incidents/:id`). */
  route: string;
  /** The answer, or the error the route would have thrown. */
  answer: Promise<HubAnswer>;
}

/**
 * Starts `GET /hubs/{hub}/{resource}/{id}` for a caller the session cache knows, or answers
 * undefined when the route would do more than call the element and send its answer (a disabled,
 * cached, traced or transformed instance, a list, an unknown caller): such a call goes to Fastify.
 * `sessionKey` is the hub session cache's key of the call's `Authorization` (`HubSessionCache.key`).
 */
export type HubReads = (hub: string, resource: string, id: string, sessionKey: string, accept: string, requestId: string) => HubRead | undefined;

/** One `METHOD path` of the hub: its resource, and the operation of each element that has it. */
interface OperationRoute {
  method: HubOperation['method'];
  path: string;
  resource: string;
  byElement: Map<string, HubOperation> | undefined;
}

/**
 * Hub resource routes: `/hubs/{anyHub}/<resource…>` and the bare `/<resource…>`. The hub segment
 * is cosmetic: the instance behind the `Element` token decides which element serves the call.
 * This layer owns the Open Connectors conventions (200 for every success, bare arrays, paging
 * headers and tokens, null filtering, `raw`, error bodies); the element owns the vendor.
 */
export function registerHubRoutes(app: FastifyInstance, deps: HubDeps): HubReads {
  // Route (`METHOD path`) → element key → the element's operation.
  const operations = new Map<string, Map<string, HubOperation>>();
  for (const def of deps.registry.all()) {
    for (const op of deps.registry.module(def.key)!.hub?.operations ?? []) {
      const key = `${op.method} ${op.path}`;
      operations.set(key, (operations.get(key) ?? new Map()).set(def.key, op));
    }
  }
  const hubRoute = { config: { auth: 'hub' as const } };
  // Each `METHOD path` worked out once, not on every call: its resource and its operations.
  const operationRoutes = new Map<string, OperationRoute>();
  const operationRoute = (method: HubOperation['method'], path: string): OperationRoute => {
    const key = `${method} ${path}`;
    let route = operationRoutes.get(key);
    if (!route) {
      route = { method, path, resource: path.split('/')[0]!, byElement: operations.get(key) };
      // Only the element's own operations are kept; a common resource's unknown path is not.
      if (route.byElement) operationRoutes.set(key, route);
    }
    return route;
  };
  // Hit and miss series, taken once: counting them is then an addition (metric-series.ts).
  const hitsAndMisses = (counter: SeriesCounter<'result'> | undefined) =>
    counter && { hit: counter.series({ result: 'hit' }), miss: counter.series({ result: 'miss' }) };
  const sessionCacheResults = hitsAndMisses(deps.metrics?.hubCache);
  const responseCacheResults = hitsAndMisses(deps.metrics?.responseCache);

  // The instance behind the token: from the session cache without a promise on the hot path.
  const resolveInstance = (request: FastifyRequest, reply: FastifyReply, allowDisabled: boolean): Instance | Promise<Instance> => {
    const cached = request.hubCacheKey ? deps.cache.get(request.hubCacheKey)?.value : undefined;
    sessionCacheResults?.[cached ? 'hit' : 'miss'].inc();
    if (cached) return checked(cached, reply, allowDisabled);
    return deps.instances.byToken(identityOf(request)).then((instance) => {
      if (request.hubCacheKey) deps.cache.set(request.hubCacheKey, identityOf(request), instance);
      return checked(instance, reply, allowDisabled);
    });
  };
  const checked = (instance: Instance, reply: FastifyReply, allowDisabled: boolean): Instance => {
    reply.header('Elements-Element-Instance-Id', String(instance.id));
    const hub = (reply.request.params as { hub?: string }).hub ?? deps.registry.find(instance.elementKey)?.hub ?? '';
    reply.request.hubCall = { instanceId: instance.id, elementKey: instance.elementKey, hub, vendorCalls: 0, vendorMs: 0 };
    if (instance.disabled && !allowDisabled) throw new ApiError('INSTANCE_DISABLED');
    return instance;
  };
  // A cached instance is one object for as long as it is cached, and so is its context.
  const contexts = new WeakMap<Instance, HubContext>();
  const contextFor = (instance: Instance): HubContext => {
    let context = contexts.get(instance);
    if (!context) {
      context = hubContext(instance, { http: deps.vendorHttp(instance.elementKey), logger: deps.logger, timeoutMs: deps.vendorTimeoutMs }, deps.vendorData);
      contexts.set(instance, context);
    }
    return context;
  };

  /**
   * The context of one API call: its vendor calls counted into the call's usage record, and traced
   * while the instance has trace logging on (linked to the call by its request id).
   */
  const requestContext = (instance: Instance, usage: HubCallUsage | null, requestId: string): HubContext => {
    const context = contextFor(instance);
    let http = context.http;
    if (usage) {
      http = withRequestRecorder(http, (_status, seconds) => {
        usage.vendorCalls++;
        usage.vendorMs += seconds * 1000;
      });
    }
    if (instance.traceLoggingEnabled)
      http = deps.traces.httpFor(instance, requestId, http, secretValues(deps.registry.find(instance.elementKey), instance.configuration));
    return http === context.http ? context : { ...context, http };
  };
  /**
   * Runs the element's operation `METHOD path` for the instance. A transformation reshapes the
   * objects both ways under `name`: the resource's own, or a common resource's served through it.
   */
  async function run(
    request: FastifyRequest,
    reply: FastifyReply,
    instance: Instance,
    route: OperationRoute,
    name: string,
    transformation: CompiledTransformation | undefined,
  ) {
    const { method, path, resource } = route;
    const op = route.byElement?.get(instance.elementKey);
    if (!op) throw notFound(`The ${instance.elementKey} element has no ${method} ${path}`);
    if (request.headers['elements-async-request'] !== undefined && headerIsTrue(request.headers['elements-async-request']))
      return runLater(request, reply, instance, op);
    const cacheKey = method === 'GET' && instance.cachingEnabled && !op.upload ? answerKey(request, transformation) : undefined;
    if (cacheKey !== undefined) {
      const hit = deps.responses.get(instance, cacheKey);
      responseCacheResults?.[hit ? 'hit' : 'miss'].inc();
      if (hit) return reply.code(200).headers(hit.headers).header('Elements-Cache', 'HIT').send(hit.body);
    }
    const epoch = deps.responses.epoch;
    const hubRequest = buildRequest(request, op, path);
    if (op.upload) hubRequest.file = await readUpload(request, firstOf(request.query as RawQuery, 'fileName'));
    if (transformation && WRITES.has(method)) hubRequest.body = deps.transformations.write(transformation, hubRequest.body);
    try {
      let result = await op.handle(hubRequest, requestContext(instance, request.hubCall, request.id));
      if (transformation) result = await transform(result, name, transformation);
      if (cacheKey !== undefined && (result.kind === 'object' || result.kind === 'list')) {
        const answer = serialized(reply, result, instance, hubRequest, path);
        deps.responses.set(instance, cacheKey, resource, answer, epoch);
        return reply.code(200).headers(answer.headers).header('Elements-Cache', 'MISS').send(answer.body);
      }
      return send(reply, result, instance, hubRequest, path);
    } catch (err) {
      if (rejectsCredentials(err)) await deps.instances.markInvalid(instance);
      throw err;
    } finally {
      // Whether the write failed or not: a vendor that timed out may still have made the change.
      if (method !== 'GET' && instance.cachingEnabled) await deps.responses.invalidate(instance.id, resource);
    }
  }

  /**
   * `Elements-Async-Request: true` (open-connectors-api.md §6.10): answered at once with the
   * event id; the same call, without the header, is then made inside this process and its answer
   * sent to the callback.
   */
  async function runLater(request: FastifyRequest, reply: FastifyReply, instance: Instance, op: HubOperation) {
    if (op.upload) throw badRequest('An upload cannot be asynchronous: send it without Elements-Async-Request');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !NOT_REPEATED.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const call = { method: request.method, url: request.url, headers, payload: request.body === undefined ? undefined : JSON.stringify(request.body) };
    const eventId = await deps.asyncCalls.accept(instance, asyncCallbackUrl(request, deps.outboundPolicy), call, injectInto(app));
    return reply.code(200).send({ eventId, eventStatus: 'dispatched' });
  }

  /**
   * Everything that shapes a cached GET answer: the caller (what one user may see is not
   * another's), the mapping it went through, the Accept header, and the path with its query.
   */
  const answerKey = (request: FastifyRequest, transformation: CompiledTransformation | undefined) =>
    `${identityOf(request).user.id}\0${transformation?.version ?? ''}\0${request.headers.accept ?? ''}\0${request.url}`;

  const routes: RouteOptions[] = [];
  const uploadRoutes: RouteOptions[] = [];
  for (const key of operations.keys()) {
    const [method, path] = key.split(' ') as [HubOperation['method'], string];
    // A transformation of the resource reshapes its objects both ways (not its sub-resources).
    const route = operationRoute(method, path);
    const { resource } = route;
    const isObjectPath = path === resource || path === `${resource}/:id`;
    const writes = WRITES.has(method);
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      // Awaited only when not known already: each await is a turn of the microtask queue.
      const found = resolveInstance(request, reply, false);
      const instance = found instanceof Promise ? await found : found;
      let transformation: CompiledTransformation | undefined;
      if (isObjectPath) {
        const known = deps.transformations.resolvedBefore(instance, resource);
        transformation = known ? known.value : await deps.transformations.resolve(instance, resource);
      }
      return run(request, reply, instance, route, resource, transformation);
    };
    const uploads = [...operations.get(key)!.values()].some((op) => op.upload);
    for (const url of [`/hubs/:hub/${path}`, `/${path}`]) {
      const params = hubPathParams(url);
      const schema = {
        tags: ['hubs'],
        summary: `${method} ${path}`,
        ...(params && { params }),
        querystring: HubQuery,
        response: hubResponses,
        ...(uploads ? { consumes: ['multipart/form-data'] } : writes || method === 'DELETE' ? { body: HubBody } : {}),
      };
      (uploads ? uploadRoutes : routes).push({ method, url, ...hubRoute, schema, handler });
    }
  }
  for (const route of routes) app.route(route);

  // Common resources (common-resources.ts) are served through their element resource's
  // operations. Under /hubs/{hub}/ only: a bare `/{name}` would shadow every unknown platform path.
  const commonResource = async (instance: Instance, name: string) => {
    const common = await findCommonResource(deps, instance, name);
    if (common) return common;
    throw notFound(
      `No resource named ${name}: define it (POST /organizations/objects/${name}/definitions) and map it for ${instance.elementKey} (POST /organizations/elements/${instance.elementKey}/transformations/${name})`,
    );
  };
  for (const [method, suffix] of [
    ['GET', ''],
    ['POST', ''],
    ['GET', '/:id'],
    ['PATCH', '/:id'],
    ['PUT', '/:id'],
    ['DELETE', '/:id'],
  ] as const) {
    app.route({
      method,
      url: `/hubs/:hub/:objectName${suffix}`,
      ...hubRoute,
      schema: {
        tags: ['hubs'],
        summary: `${method} a common resource${suffix ? ' object' : ''}: an object defined and mapped for the element`,
        params: Type.Object({
          hub: Type.String({ maxLength: HUB_NAME_MAX, description: 'Any hub name; the instance decides' }),
          objectName: ObjectName,
          ...(suffix && { id: Type.String({ minLength: 1, maxLength: HUB_PARAM_MAX }) }),
        }),
        querystring: HubQuery,
        response: hubResponses,
        ...((WRITES.has(method) || method === 'DELETE') && { body: HubBody }),
      },
      handler: async (request, reply) => {
        const instance = await resolveInstance(request, reply, false);
        const name = (request.params as { objectName: string }).objectName;
        const { transformation, resource } = await commonResource(instance, name);
        return run(request, reply, instance, operationRoute(method, `${resource}${suffix}`), name, transformation);
      },
    });
  }
  // Multipart parsing in a scope of its own: the plugin adds two hooks to every route it sees.
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: deps.uploadLimit, files: 1, fields: 10 } });
    for (const route of uploadRoutes) scope.route(route);
  });

  const objects = async (request: FastifyRequest, reply: FastifyReply) => {
    const instance = await resolveInstance(request, reply, true);
    const own = [...(deps.registry.module(instance.elementKey)!.hub?.objects.keys() ?? [])];
    return [...own, ...(await listCommonResources(deps, instance)).map((c) => c.name)];
  };
  const metadata = async (request: FastifyRequest, reply: FastifyReply) => {
    const instance = await resolveInstance(request, reply, false);
    const name = (request.params as { name: string }).name;
    const describe = deps.registry.module(instance.elementKey)!.hub?.objects.get(name);
    if (describe) {
      const fields = await describe(requestContext(instance, request.hubCall, request.id));
      if (fields) return { fields };
    }
    // A common resource: its fields are those of its transformation, in the common shape.
    const common = await findCommonResource(deps, instance, name);
    if (!common) throw notFound(`No object named ${name.slice(0, 100)}; GET /objects lists them`);
    return { fields: commonFields(common.transformation) };
  };
  for (const prefix of ['/hubs/:hub', '']) {
    const hubParam: Record<string, TSchema> = prefix ? { hub: Type.String({ maxLength: HUB_NAME_MAX }) } : {};
    app.get(
      `${prefix}/objects`,
      {
        ...hubRoute,
        schema: {
          tags: ['hubs'],
          summary: "The objects of the instance's hub resources",
          ...(prefix && { params: Type.Object(hubParam) }),
          querystring: NoQuery,
          response: { 200: Type.Array(Type.String()), ...errorResponses },
        },
      },
      objects,
    );
    app.get(
      `${prefix}/objects/:name/metadata`,
      {
        ...hubRoute,
        schema: {
          tags: ['hubs'],
          summary: "The fields of one object, from the instance's vendor",
          params: Type.Object({ ...hubParam, name: Type.String({ maxLength: 200 }) }),
          querystring: NoQuery,
          response: { 200: Type.Object({ fields: Type.Array(ObjectFieldJson) }), ...errorResponses },
        },
      },
      metadata,
    );
  }

  // `GET {resource}/:param` by resource: the reads a call may start ahead of Fastify (read-lane.ts).
  // Each with its route's name, made once: request metrics find their series by that string.
  const objectReads = new Map<string, { route: OperationRoute; param: string; url: string }>();
  for (const key of operations.keys()) {
    const [method, path] = key.split(' ') as [HubOperation['method'], string];
    const [resource, param, more] = path.split('/');
    if (method === 'GET' && param?.startsWith(':') && more === undefined)
      objectReads.set(resource!, { route: operationRoute(method, path), param: param.slice(1), url: `${app.prefix}/hubs/:hub/${path}` });
  }
  const reads: HubReads = (hub, resource, id, sessionKey, accept, requestId) => {
    const read = objectReads.get(resource);
    const session = read && deps.cache.get(sessionKey);
    if (!read || !session) return undefined;
    const instance = session.value;
    // Only what the route would do with nothing in between: no cache, trace, transformation or list.
    if (instance.disabled || instance.cachingEnabled || instance.traceLoggingEnabled) return undefined;
    const op = read.route.byElement?.get(instance.elementKey);
    const transformation = deps.transformations.resolvedBefore(instance, resource);
    if (!op || op.list || op.upload || !transformation || transformation.value) return undefined;
    sessionCacheResults?.hit.inc();
    const usage: HubCallUsage = { instanceId: instance.id, elementKey: instance.elementKey, hub, vendorCalls: 0, vendorMs: 0 };
    const params: Record<string, string> = {};
    params[read.param] = id;
    const request: HubRequest = {
      method: 'GET',
      params,
      query: {},
      body: undefined,
      where: undefined,
      orderBy: undefined,
      fields: undefined,
      paging: { startAt: 0, pageSize: DEFAULT_PAGE_SIZE },
      accept,
    };
    const opts = { stripNulls: stripsNulls(instance.configuration), raw: false };
    let handled: Promise<HubResult>;
    try {
      handled = op.handle(request, requestContext(instance, usage, requestId));
    } catch (err) {
      // As in an async route handler: what the element throws at once is the call's error.
      handled = Promise.reject(err);
    }
    const answer = handled.then(
      (result) => answerOf(result, opts, request, read.route.path, {}),
      async (err: unknown) => {
        if (rejectsCredentials(err)) await deps.instances.markInvalid(instance);
        throw err;
      },
    );
    return { identity: session.identity, usage, route: read.url, answer };
  };

  /** The hub's view of the call; an upload's file is read afterwards. */
  function buildRequest(request: FastifyRequest, op: HubOperation, path: string): HubRequest {
    const raw = request.query as RawQuery;
    const where = firstOf(raw, 'where');
    const orderBy = firstOf(raw, 'orderBy');
    const query: Record<string, string> = {};
    for (const k in raw) {
      const v = raw[k];
      if (!RESERVED.has(k) && v !== undefined) setOwn(query, k, Array.isArray(v) ? v.join(',') : v);
    }
    // The operation's own path parameters; copied, not deleted, so the object keeps fast properties.
    const routeParams = request.params as Record<string, string>;
    const params: Record<string, string> = {};
    for (const k in routeParams) if (k !== 'hub' && k !== 'objectName') params[k] = routeParams[k]!;
    // Only lists page; other operations never read `paging`.
    const paging = op.list
      ? resolvePaging({ page: firstOf(raw, 'page'), pageSize: firstOf(raw, 'pageSize'), nextPage: firstOf(raw, 'nextPage') }, queryHash(path, where, orderBy))
      : { startAt: 0, pageSize: DEFAULT_PAGE_SIZE };
    return {
      method: request.method,
      params,
      query,
      body: op.upload ? undefined : request.body,
      where: where ? parseWhere(where) : undefined,
      orderBy: orderBy ? parseOrderBy(orderBy) : undefined,
      fields: firstOf(raw, 'fields'),
      paging,
      accept: String(request.headers.accept ?? ''),
    };
  }

  async function readUpload(request: FastifyRequest, fileName: string | undefined): Promise<HubFile> {
    if (!request.isMultipart()) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Upload the file as multipart/form-data with a part named "file"');
    let file: HubFile | undefined;
    for await (const part of request.parts({ limits: { fileSize: deps.uploadLimit, files: 1 } })) {
      if (part.type !== 'file') {
        if (part.fieldname === 'fileName' && typeof part.value === 'string') fileName = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        await part.toBuffer();
        continue;
      }
      const content = await part.toBuffer();
      if (part.file.truncated) throw new ApiError('PAYLOAD_TOO_LARGE', `The file is larger than ${deps.uploadLimit} bytes`);
      file = { filename: part.filename, mimeType: part.mimetype, content };
    }
    if (!file) throw badRequest('No file: send it in a multipart part named "file"');
    return { ...file, filename: fileName || file.filename || 'attachment' };
  }

  /** Maps vendor objects onto the common shape, keeping each vendor object for `raw`. */
  async function transform(result: HubResult, name: string, t: Awaited<ReturnType<TransformationService['resolve']>>): Promise<HubResult> {
    if (!t) return result;
    if (result.kind === 'object') return { kind: 'object', body: (await deps.transformations.read(name, t, [result.body]))[0], vendor: result.body };
    if (result.kind === 'list') return { ...result, items: await deps.transformations.read(name, t, result.items), vendorItems: result.items };
    return result;
  }

  function responseOptions(reply: FastifyReply, instance: Instance) {
    return { stripNulls: stripsNulls(instance.configuration), raw: isTrue((reply.request.query as { raw?: string }).raw) };
  }

  /** A list's paging headers (Open Connectors' `Elements-*`). */
  function listHeaders(query: RawQuery, result: Extract<HubResult, { kind: 'list' }>, request: HubRequest, path: string): Record<string, string> {
    const headers: Record<string, string> = { 'Elements-Returned-Count': String(result.items.length) };
    if (result.total !== undefined) headers['Elements-Total-Count'] = String(result.total);
    if (result.nextStartAt !== undefined) {
      headers['Elements-Next-Page-Token'] = encodeToken({
        startAt: result.nextStartAt,
        pageSize: request.paging.pageSize,
        q: queryHash(path, firstOf(query, 'where'), firstOf(query, 'orderBy')),
      });
    }
    return headers;
  }

  /** An object or list answer as the bytes and headers it goes out with, to be cached. */
  function serialized(reply: FastifyReply, result: HubValueResult, instance: Instance, request: HubRequest, path: string): CachedAnswer {
    const answer = valueAnswerOf(result, responseOptions(reply, instance), request, path, reply.request.query as RawQuery);
    return { headers: answer.headers, body: bytesOf(answer) };
  }

  function send(reply: FastifyReply, result: HubResult, instance: Instance, request: HubRequest, path: string) {
    const answer = answerOf(result, responseOptions(reply, instance), request, path, reply.request.query as RawQuery);
    return reply
      .code(200)
      .headers(answer.headers)
      .send('latin1' in answer ? bytesOf(answer) : answer.content);
  }

  /**
   * A result as the answer that goes out, whether Fastify sends it or the read lane does: the
   * vendor's own bytes when nothing reshapes them (no second serialisation: the hot path), JSON
   * text, or a stream.
   */
  function answerOf(result: HubResult, opts: ReturnType<typeof responseOptions>, request: HubRequest, path: string, query: RawQuery): HubAnswer {
    switch (result.kind) {
      case 'empty':
        return { headers: {}, content: undefined };
      case 'stream': {
        const headers: Record<string, string> = { 'content-type': result.contentType };
        if (result.length !== undefined) headers['content-length'] = String(result.length);
        if (result.filename) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(result.filename)}`;
        return { headers, content: result.stream };
      }
      default:
        return valueAnswerOf(result, opts, request, path, query);
    }
  }

  /** An object or list result as the answer that goes out, sent or cached. */
  function valueAnswerOf(result: HubValueResult, opts: ReturnType<typeof responseOptions>, request: HubRequest, path: string, query: RawQuery): HubValueAnswer {
    if (result.kind === 'list') {
      const items = result.items.map((item, i) => shape(item, opts, result.vendorItems ? result.vendorItems[i] : item));
      return valueAnswer(items, listHeaders(query, result, request, path));
    }
    if (result.json !== undefined && !opts.raw && !('vendor' in result)) {
      if (!opts.stripNulls) return { headers: JSON_TYPE, content: result.json };
      return { headers: JSON_TYPE, latin1: stripNullsFromJsonText(result.json.toString('latin1')) };
    }
    return valueAnswer(shape(result.body, opts, 'vendor' in result ? result.vendor : result.body), {});
  }

  return reads;
}

const JSON_TYPE: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=utf-8' };

/** The bytes an answer's value goes out as. */
function bytesOf(answer: HubValueAnswer): Buffer | undefined {
  if ('latin1' in answer) return Buffer.from(answer.latin1, 'latin1');
  return typeof answer.content === 'string' ? Buffer.from(answer.content) : answer.content;
}

/** A value as Fastify would send it: nothing for none, text as text, anything else as JSON. */
function valueAnswer(value: unknown, headers: Record<string, string>): HubValueAnswer {
  if (value === undefined) return { headers, content: undefined };
  if (typeof value === 'string') return { headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, content: value };
  return { headers: { ...headers, ...JSON_TYPE }, content: Buffer.from(JSON.stringify(value)) };
}

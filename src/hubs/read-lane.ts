import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { HubSessionCache } from '../auth/hub-session-cache.ts';
import { type ApiError, toErrorBody } from '../platform/errors.ts';
import { API_CACHE_CONTROL, SAFETY_HEADERS } from '../platform/http/response-headers.ts';
import type { AnsweredCall } from '../usage/usage-hook.ts';
import type { HubAnswer, HubRead, HubReads } from './hub-router.ts';
import { HUB_NAME_MAX, HUB_PARAM_MAX } from './schemas.ts';

export interface ReadLaneDeps {
  apiPrefix: string;
  /** The hub router's reads; undefined until its routes are registered, and once the server is closing. */
  reads: () => HubReads | undefined;
  nextRequestId: () => string;
  /** The error answer of what a read threw, as the error handler would give it, logged as it would log it. */
  failure: (requestId: string, error: unknown) => ApiError;
  /** Metrics, usage record and access line of a call the lane answered. */
  answered: (call: AnsweredCall) => void;
}

/** Path segments taken as they are: with nothing to percent-decode, Fastify would read them the same. */
const PLAIN_SEGMENT = /^[A-Za-z0-9_~.-]+$/;

/**
 * The hot path of a proxy, `GET /hubs/{hub}/{resource}/{id}`, answered from the server's request
 * listener ahead of Fastify. Such a call's own work is a cached lookup, one vendor request and a
 * copy of its bytes; answered here rather than through Fastify's router, hooks, validation and
 * reply, it takes about 9% less CPU (`npm run bench:compare`, median of 14 rounds).
 *
 * The lane takes a call only when Fastify would do nothing but what the lane does: a plain path
 * with no query, an `Authorization` the hub session cache knows, no `Origin` (CORS) and no
 * asynchronous request; the hub router declines everything else (`HubReads`). Every other call,
 * and every call it declines, goes to Fastify untouched. What the lane does it does with the
 * same parts as Fastify's path: the router's operation and answer (`answerOf`), the error
 * handler's error answer and log line, the request id, headers, metrics, usage record and access
 * line.
 */
export function readLane(deps: ReadLaneDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const hubsPrefix = `${deps.apiPrefix}/hubs/`;
  return (req, res) => {
    const url = req.url;
    const authorization = req.headers.authorization;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(hubsPrefix) || url.includes('?') || authorization === undefined) return false;
    const headers = req.headers;
    // A body (which Fastify reads and bounds), CORS and asynchronous calls are Fastify's.
    if (
      headers['content-length'] !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      headers.origin !== undefined ||
      headers['elements-async-request'] !== undefined
    )
      return false;
    const reads = deps.reads();
    const path = url.slice(hubsPrefix.length).split('/');
    if (!reads || path.length !== 3) return false;
    const [hub, resource, id] = path as [string, string, string];
    if (hub.length > HUB_NAME_MAX || id.length > HUB_PARAM_MAX || !PLAIN_SEGMENT.test(hub) || !PLAIN_SEGMENT.test(resource) || !PLAIN_SEGMENT.test(id))
      return false;
    // `.` and `..` are left to Fastify's path, whose vendor client refuses them.
    if (id === '.' || id === '..') return false;
    const start = performance.now();
    const requestId = deps.nextRequestId();
    const sessionKey = HubSessionCache.key(authorization);
    let read: HubRead | undefined;
    try {
      read = reads(hub, resource, id, sessionKey, String(headers.accept ?? ''), requestId);
    } catch {
      // Nothing has been sent: Fastify takes the call, and answers what fails there as it does.
    }
    if (!read) {
      // Fastify's authentication takes the key rather than hashing the header again.
      HubSessionCache.handOver(req, sessionKey);
      return false;
    }
    read.answer
      .then(
        (answer) => send(req, res, read, requestId, start, answer),
        (error: unknown) => sendFailure(req, res, read, requestId, start, deps.failure(requestId, error)),
      )
      // An answer that cannot be written (a header Node refuses): logged as an unhandled error, the connection cut.
      .catch((error: unknown) => {
        deps.failure(requestId, error);
        res.destroy();
      });
    return true;
  };

  /**
   * The answer's headers as the flat list `writeHead` takes, names in lower case as Fastify
   * writes them: an object built per call, spread from another, takes V8's slow path.
   */
  function headersOf(read: HubRead, requestId: string, extra: Readonly<Record<string, string>>, length?: number): string[] {
    const headers = [
      'elements-request-id',
      requestId,
      'x-content-type-options',
      SAFETY_HEADERS['x-content-type-options'],
      'referrer-policy',
      SAFETY_HEADERS['referrer-policy'],
      'cache-control',
      API_CACHE_CONTROL,
      'elements-element-instance-id',
      String(read.usage.instanceId),
    ];
    for (const name in extra) headers.push(name.toLowerCase(), extra[name]!);
    if (length !== undefined) headers.push('content-length', String(length));
    return headers;
  }

  function send(req: IncomingMessage, res: ServerResponse, read: HubRead, requestId: string, start: number, answer: HubAnswer): void {
    closeIfClosing(res);
    if ('latin1' in answer) {
      // Bytes held as text: written with the headers in one write, without a buffer of their own.
      res.writeHead(200, headersOf(read, requestId, answer.headers, answer.latin1.length));
      res.end(answer.latin1, 'latin1');
      done(req, read, requestId, start, 200);
      return;
    }
    const content = answer.content;
    if (content instanceof Readable) {
      res.writeHead(200, headersOf(read, requestId, answer.headers));
      // As Fastify does: a stream that fails after its headers went cuts the answer short, is
      // logged, and its access line says so.
      let failed: Error | undefined;
      content.on('error', (error) => {
        failed = error;
        deps.failure(requestId, error);
        res.destroy();
      });
      res.on('close', () => {
        content.destroy();
        done(req, read, requestId, start, 200, failed);
      });
      content.pipe(res);
      return;
    }
    res.writeHead(200, headersOf(read, requestId, answer.headers, content === undefined ? 0 : Buffer.byteLength(content)));
    res.end(content);
    done(req, read, requestId, start, 200);
  }

  function sendFailure(req: IncomingMessage, res: ServerResponse, read: HubRead, requestId: string, start: number, error: ApiError): void {
    closeIfClosing(res);
    const body = JSON.stringify(toErrorBody(requestId, error));
    const headers = headersOf(read, requestId, { ...error.extras.headers, 'content-type': 'application/json; charset=utf-8' }, Buffer.byteLength(body));
    res.writeHead(error.status, headers);
    res.end(body);
    done(req, read, requestId, start, error.status);
  }

  /** A call answered while the server closes says `Connection: close`: the client sends no more on it. */
  function closeIfClosing(res: ServerResponse): void {
    if (deps.reads() === undefined) res.shouldKeepAlive = false;
  }

  function done(req: IncomingMessage, read: HubRead, requestId: string, start: number, status: number, error?: Error): void {
    deps.answered({
      requestId,
      identity: read.identity,
      hubCall: read.usage,
      method: 'GET',
      url: req.url!,
      loggedUrl: null,
      route: read.route,
      status,
      elapsedMs: performance.now() - start,
      ip: req.socket.remoteAddress ?? '',
      error,
    });
  }
}

import type { Dispatcher } from 'undici';
import { ApiError } from '../../../platform/errors.ts';
import type { HubContext, HubResult } from '../../../hubs/hub-contract.ts';
import { authFrom } from '../configuration.ts';
import { authorizationHeader, header, jiraRequest, JiraNetworkError, providerMessage, targetOf, type JiraHttpOptions, type JiraResponse, type ReceivedJiraResponse } from '../jira-http.ts';

const DOT_SEGMENT = /\/\.{1,2}(?:\/|$)/;

/** How long a 429 may be waited out inside one hub call before the caller gets the 429 itself. */
const MAX_RATE_LIMIT_WAIT_MS = 10_000;

/**
 * Jira REST v2 for one instance, with the hub's error semantics (open-connectors-api.md §5.7):
 * Jira 4xx pass through with `providerMessage`; 401 means the instance's credentials stopped
 * working; the CAPTCHA 403 has its own message; 429 is waited out within a bounded time,
 * honouring `Retry-After`; 5xx and HTML pages are 502; timeouts and connection failures 504.
 * 401 and 403 are never retried: each retry would feed Jira's login lockout.
 */
export class JiraApi {
  readonly #options: JiraHttpOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(context: HubContext, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
    this.#options = optionsFor(context);
    this.#sleep = sleep;
  }

  get siteAddress(): string {
    return this.#options.siteAddress;
  }

  get dispatcher(): Dispatcher {
    return this.#options.dispatcher;
  }

  /** The `Authorization` header for calls made outside `raw` (attachment bytes and uploads). */
  get authorization(): string | undefined {
    return this.#options.authorization;
  }

  async raw(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<ReceivedJiraResponse> {
    refuseDotSegments(path);
    let waited = 0;
    for (;;) {
      let res: ReceivedJiraResponse;
      try {
        res = await jiraRequest(this.#options, method, path, body, headers);
      } catch (err) {
        if (err instanceof JiraNetworkError) {
          if (err.cause_ === 'too-large') throw new ApiError('PROVIDER_ERROR', `Jira's answer to ${method} ${path.split('?')[0]} cannot be read: ${err.message}`);
          throw new ApiError('PROVIDER_TIMEOUT', `Jira did not answer: ${err.message}`);
        }
        throw err;
      }
      if (res.status !== 429) return res;
      const retryAfter = Number(header(res, 'retry-after') ?? '1');
      const waitMs = Math.max(0, (Number.isFinite(retryAfter) ? retryAfter : 1) * 1000);
      if (waited + waitMs > MAX_RATE_LIMIT_WAIT_MS) {
        throw new ApiError('PROVIDER_RATE_LIMITED', undefined, { providerMessage: providerMessage(res), providerCode: 429, headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)) } });
      }
      waited += waitMs;
      await this.#sleep(waitMs);
    }
  }

  /** A JSON call; non-2xx answers become hub errors. `undefined` for an empty 2xx body. */
  async call<T = unknown>(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.raw(method, path, body, headers);
    if (res.status >= 200 && res.status < 300) {
      if (res.text === '') return undefined as T;
      if (!res.contentType.includes('json')) {
        throw new ApiError('PROVIDER_ERROR', `Jira answered ${method} ${path} with ${res.contentType || 'no content type'} instead of JSON`, { providerMessage: providerMessage(res), providerCode: res.status });
      }
      return parseJiraJson<T>(res, method, path);
    }
    throw toHubError(res, method, path);
  }

  /**
   * A GET whose answer the hub passes on as it is: Jira's own JSON bytes, which the hub layer
   * sends without decoding, parsing and serialising them again (the hot path of issue reads).
   * They are parsed only if something needs the object (a transformation, `raw`). Framing errors
   * never get here (undici fails a truncated body), so the check is that the bytes are one JSON
   * object; a body that is not gets the full parse and its 502.
   */
  async getObject(path: string): Promise<Extract<HubResult, { kind: 'object' }>> {
    const res = await this.raw('GET', path);
    if (res.status < 200 || res.status >= 300) throw toHubError(res, 'GET', path);
    if (!res.contentType.includes('json')) {
      throw new ApiError('PROVIDER_ERROR', `Jira answered GET ${path} with ${res.contentType || 'no content type'} instead of JSON`, { providerMessage: providerMessage(res), providerCode: res.status });
    }
    if (!looksLikeObject(res.bytes)) return { kind: 'object', body: parseJiraJson(res, 'GET', path) };
    return new PassedOnObject(res, path);
  }

  get<T = unknown>(path: string): Promise<T> { return this.call<T>('GET', path); }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> { return this.call<T>('POST', path, body ?? {}, headers); }
  put<T = unknown>(path: string, body?: unknown): Promise<T> { return this.call<T>('PUT', path, body ?? {}); }
  delete<T = unknown>(path: string): Promise<T> { return this.call<T>('DELETE', path); }
}

/** The instance's Jira options, worked out once per context (the platform keeps one per cached instance). */
function optionsFor(context: HubContext): JiraHttpOptions {
  return context.memo('jira-http-options', () => {
    const config = context.instance.configuration;
    const ca = typeof config['ssl.ca.certificate'] === 'string' ? config['ssl.ca.certificate'] : undefined;
    const siteAddress = String(config.siteAddress);
    return {
      siteAddress, target: targetOf(siteAddress), authorization: authorizationHeader(authFrom(config)),
      dispatcher: context.http.dispatcher({ ca }), timeoutMs: context.timeoutMs, answerLimit: context.http.answerLimit,
    };
  });
}

/**
 * An id of `.` or `..` would make Jira resolve the path to another resource (`DELETE
 * …/comment/..` is a DELETE of the issue); no Jira id looks like that.
 */
export function refuseDotSegments(path: string): void {
  if (DOT_SEGMENT.test(path.split('?')[0]!)) throw new ApiError('NOT_FOUND', 'No such resource: an id cannot be "." or ".."');
}

export function toHubError(res: JiraResponse, method: string, fullPath: string): ApiError {
  const path = fullPath.split('?')[0] ?? fullPath;
  const extras = { providerMessage: providerMessage(res), providerCode: res.status };
  const denied = header(res, 'x-authentication-denied-reason');
  if (res.status === 401) return new ApiError('INSTANCE_CREDENTIALS_INVALID', undefined, extras);
  if (res.status === 403 && denied?.startsWith('CAPTCHA_CHALLENGE')) {
    return new ApiError('PROVIDER_FORBIDDEN', "The instance's Jira user is locked by Jira's CAPTCHA after failed logins: log in once through the Jira web UI", extras);
  }
  if (res.status >= 500 || (!res.contentType.includes('json') && res.status !== 404 && res.status !== 403)) {
    return new ApiError('PROVIDER_ERROR', `Jira answered ${method} ${path} with HTTP ${res.status}`, extras);
  }
  if (res.status === 403) return new ApiError('PROVIDER_FORBIDDEN', `Jira does not allow ${method} ${path} for the instance's user`, extras);
  if (res.status === 404) return new ApiError('NOT_FOUND', `Jira has no ${path.replace(/^\/rest\/api\/2\//, '')}`, extras);
  if (res.status === 409) return new ApiError('CONFLICT', `Jira reports a conflict for ${method} ${path}`, extras);
  if (res.status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'Jira refused the size of the request', extras);
  if (res.status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', undefined, extras);
  return new ApiError('BAD_REQUEST', `Jira rejected ${method} ${path}: ${extras.providerMessage}`, extras);
}

/** The first and last non-blank bytes are `{` and `}`. */
function looksLikeObject(bytes: Buffer): boolean {
  let first = 0;
  let last = bytes.length - 1;
  while (first <= last && isBlank(bytes[first]!)) first++;
  while (last > first && isBlank(bytes[last]!)) last--;
  return bytes[first] === 0x7b && bytes[last] === 0x7d;
}

const isBlank = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** A Jira object passed on as its bytes, parsed on first use of `body`. */
class PassedOnObject {
  readonly kind = 'object';
  #body: unknown;

  constructor(private readonly res: ReceivedJiraResponse, private readonly path: string) {}

  get json(): Buffer {
    return this.res.bytes;
  }

  get body(): unknown {
    return this.#body ??= parseJiraJson(this.res, 'GET', this.path);
  }
}

/** Jira's JSON; a 2xx with a body that does not parse is Jira's fault (502), not ours (500). */
export function parseJiraJson<T>(res: JiraResponse, method: string, path: string): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new ApiError('PROVIDER_ERROR', `Jira answered ${method} ${path.split('?')[0]} with JSON that does not parse`, { providerMessage: providerMessage(res), providerCode: res.status });
  }
}

export const enc = encodeURIComponent;

/** Jira's path of one issue, by id or key. */
export const issuePath = (idOrKey: string) => `/rest/api/2/issue/${enc(idOrKey)}`;

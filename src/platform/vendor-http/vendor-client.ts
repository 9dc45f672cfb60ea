import { pipeline, Transform, type Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { ApiError, type ErrorExtras } from '../errors.ts';
import {
  classifyNetworkError,
  header,
  pageText,
  ReceivedResponse,
  targetOf,
  vendorRequest,
  VendorNetworkError,
  type VendorHttpOptions,
  type VendorResponse,
} from './vendor-request.ts';
import { retryAfterMs } from './retry-after.ts';

/**
 * What an element says of its vendor's HTTP dialect; the client does the rest (deadlines,
 * bounded answers, 429 with Retry-After, the status → hub error mapping, providerMessage).
 */
export interface VendorDialect {
  /** How messages name the vendor: "<name> answered GET … with HTTP 502". */
  name: string;
  /** The vendor's words in its own JSON error body, or `undefined` when the body is not one. */
  errorText(body: unknown): string | undefined;
  /**
   * An answer the vendor means otherwise than its status says, as the hub error to give
   * instead (a login lockout sent as 403, say); `undefined` for the usual mapping.
   */
  specialError?(res: VendorResponse, extras: ErrorExtras): ApiError | undefined;
  /**
   * Whether an answer bears the vendor's marks (its headers, its error body). Only such an
   * answer's words are passed on: whatever else answers at a configured address (an internal
   * page reached by mistake or on purpose) is described by status and content type alone.
   */
  ownsAnswer(res: VendorResponse): boolean;
}

/** How long a 429 may be waited out inside one call before the caller gets the 429 itself. */
const MAX_RATE_LIMIT_WAIT_MS = 10_000;
const DOT_SEGMENT = /\/\.{1,2}(?:\/|$)/;

/**
 * The vendor's words for `providerMessage`, at most 500 characters: its JSON error body through
 * the dialect, else the text of its page. An answer without the vendor's marks is not echoed.
 */
export function providerMessage(res: VendorResponse, dialect: VendorDialect): string {
  if (!dialect.ownsAnswer(res)) return `HTTP ${res.status} (${res.contentType || 'no content type'}), not an answer of ${dialect.name}`;
  if (res.contentType.includes('json')) {
    try {
      const words = dialect.errorText(JSON.parse(res.text) as unknown);
      if (words) return words.slice(0, 500);
    } catch {
      // fall through to the raw text
    }
  }
  return pageText(res);
}

/**
 * A path segment of `.` or `..` would make the vendor's server resolve the path to another
 * resource (`DELETE …/comment/..` is a DELETE of the issue); no vendor id looks like that.
 */
export function refuseDotSegments(path: string): void {
  if (DOT_SEGMENT.test(path.split('?')[0]!)) throw new ApiError('NOT_FOUND', 'No such resource: an id cannot be "." or ".."');
}

/**
 * A vendor's non-2xx answer as the hub error (open-connectors-api.md §5.7): 4xx pass through with
 * `providerMessage`; 401 means the instance's credentials stopped working; 5xx and pages that are
 * not the vendor's JSON are 502.
 */
export function toHubError(res: VendorResponse, method: string, fullPath: string, dialect: VendorDialect): ApiError {
  const path = fullPath.split('?')[0] ?? fullPath;
  const extras = { providerMessage: providerMessage(res, dialect), providerCode: res.status };
  const special = dialect.specialError?.(res, extras);
  if (special) return special;
  const who = dialect.name;
  if (res.status === 401) return new ApiError('INSTANCE_CREDENTIALS_INVALID', undefined, extras);
  if (res.status >= 500 || (!res.contentType.includes('json') && res.status !== 404 && res.status !== 403)) {
    return new ApiError('PROVIDER_ERROR', `${who} answered ${method} ${path} with HTTP ${res.status}`, extras);
  }
  if (res.status === 403) return new ApiError('PROVIDER_FORBIDDEN', `${who} does not allow ${method} ${path} for the instance's user`, extras);
  if (res.status === 404) return new ApiError('NOT_FOUND', `${who} has no ${path}`, extras);
  if (res.status === 409) return new ApiError('CONFLICT', `${who} reports a conflict for ${method} ${path}`, extras);
  if (res.status === 413) return new ApiError('PAYLOAD_TOO_LARGE', `${who} refused the size of the request`, extras);
  if (res.status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', undefined, extras);
  return new ApiError('BAD_REQUEST', `${who} rejected ${method} ${path}: ${extras.providerMessage}`, extras);
}

/** The vendor's JSON; a 2xx with a body that does not parse is the vendor's fault (502), not ours (500). */
export function parseVendorJson<T>(res: VendorResponse, method: string, path: string, dialect: VendorDialect): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new ApiError('PROVIDER_ERROR', `${dialect.name} answered ${method} ${path.split('?')[0]} with JSON that does not parse`, {
      providerMessage: providerMessage(res, dialect),
      providerCode: res.status,
    });
  }
}

/**
 * A vendor's REST API for one instance, with the hub's error semantics. 429 is waited out within
 * a bounded time, honouring `Retry-After` (seconds or an HTTP date); 401 and 403 are never
 * retried, because each retry would feed the vendor's login lockout; timeouts and connection
 * failures are 504; an answer over the size limit is 502.
 */
export class VendorClient {
  constructor(
    readonly options: VendorHttpOptions,
    readonly dialect: VendorDialect,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  ) {}

  async raw(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<ReceivedResponse> {
    refuseDotSegments(path);
    let waited = 0;
    for (;;) {
      let res: ReceivedResponse;
      try {
        res = await vendorRequest(this.options, method, path, body, headers);
      } catch (err) {
        if (err instanceof VendorNetworkError) {
          if (err.cause_ === 'too-large')
            throw new ApiError('PROVIDER_ERROR', `${this.dialect.name}'s answer to ${method} ${path.split('?')[0]} cannot be read: ${err.message}`);
          throw new ApiError('PROVIDER_TIMEOUT', `${this.dialect.name} did not answer: ${err.message}`);
        }
        throw err;
      }
      if (res.status !== 429) return res;
      const waitMs = retryAfterMs(header(res, 'retry-after'), Date.now()) ?? 1000;
      if (waited + waitMs > MAX_RATE_LIMIT_WAIT_MS) {
        throw new ApiError('PROVIDER_RATE_LIMITED', undefined, {
          providerMessage: providerMessage(res, this.dialect),
          providerCode: 429,
          headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)) },
        });
      }
      waited += waitMs;
      await this.sleep(waitMs);
    }
  }

  /** A JSON call; non-2xx answers become hub errors. `undefined` for an empty 2xx body. */
  async call<T = unknown>(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.raw(method, path, body, headers);
    if (res.status >= 200 && res.status < 300) {
      if (res.text === '') return undefined as T;
      this.#expectJson(res, method, path);
      return parseVendorJson<T>(res, method, path, this.dialect);
    }
    throw toHubError(res, method, path, this.dialect);
  }

  /**
   * A GET whose answer the hub passes on as it is: the vendor's own JSON bytes, which the hub
   * layer sends without decoding, parsing and serialising them again (the hot path of object
   * reads). They are parsed only if something needs the object (a transformation, `raw`).
   * Framing errors never get here (undici fails a truncated body), so the check is that the
   * bytes are one JSON object; a body that is not gets the full parse and its 502.
   */
  async getObject(path: string): Promise<PassedOnObject | { kind: 'object'; body: unknown }> {
    const res = await this.raw('GET', path);
    if (res.status < 200 || res.status >= 300) throw toHubError(res, 'GET', path, this.dialect);
    this.#expectJson(res, 'GET', path);
    if (!looksLikeObject(res.bytes)) return { kind: 'object', body: parseVendorJson(res, 'GET', path, this.dialect) };
    return new PassedOnObject(res, path, this.dialect);
  }

  /**
   * A multipart upload (`parts` as a form), with the 429 handling and limits of every call; the
   * form is encoded in memory, as the hub has read the upload already.
   */
  async upload<T = unknown>(path: string, form: FormData, headers: Record<string, string> = {}): Promise<T> {
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    return this.call<T>('POST', path, body, { ...headers, 'content-type': encoded.headers.get('content-type')! });
  }

  /**
   * A download passed on as a stream (attachment bytes): with the 429 handling of every call, and
   * cut off with an error past the answer limit. No deadline for the whole answer, as a large file
   * takes its time; undici's idle timeout bounds each pause.
   */
  async stream(path: string, headers: Record<string, string> = {}): Promise<{ body: Readable; contentType: string; length: number | undefined }> {
    refuseDotSegments(path);
    const target = this.options.target ?? targetOf(this.options.baseUrl);
    let waited = 0;
    for (;;) {
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(`${target.origin}${target.basePath}${path}`, {
          method: 'GET',
          dispatcher: this.options.dispatcher,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
          headers: { ...headers, ...this.options.credentialHeaders, ...(this.options.authorization && { authorization: this.options.authorization }) },
        });
      } catch (err) {
        throw new ApiError(
          'PROVIDER_TIMEOUT',
          `${this.dialect.name} did not answer: ${classifyNetworkError(err, new URL(this.options.baseUrl), this.options.timeoutMs).message}`,
        );
      }
      const length = Number(res.headers['content-length']);
      if (res.statusCode === 200) {
        if (length > this.options.answerLimit) {
          discard(res.body);
          throw new ApiError(
            'PROVIDER_ERROR',
            `${this.dialect.name}'s answer to GET ${path} is larger than ${this.options.answerLimit} bytes (SWITCHBOARD_VENDOR_ANSWER_LIMIT)`,
          );
        }
        // pipeline, not pipe: when the limit cuts the download off, or the client goes away, the
        // vendor's answer is closed too instead of holding its connection until the body timeout.
        const body = pipeline(res.body, limitBytes(this.options.answerLimit), () => {});
        return { body, contentType: String(res.headers['content-type'] ?? 'application/octet-stream'), length: Number.isFinite(length) ? length : undefined };
      }
      const answer = new ReceivedResponse(res.statusCode, res.headers, await readHead(res.body, 64 * 1024));
      if (res.statusCode !== 429) throw toHubError(answer, 'GET', path, this.dialect);
      const waitMs = retryAfterMs(header(answer, 'retry-after'), Date.now()) ?? 1000;
      if (waited + waitMs > MAX_RATE_LIMIT_WAIT_MS) {
        throw new ApiError('PROVIDER_RATE_LIMITED', undefined, {
          providerMessage: providerMessage(answer, this.dialect),
          providerCode: 429,
          headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)) },
        });
      }
      waited += waitMs;
      await this.sleep(waitMs);
    }
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.call<T>('POST', path, body ?? {}, headers);
  }
  put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('PUT', path, body ?? {});
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  #expectJson(res: VendorResponse, method: string, path: string): void {
    if (!res.contentType.includes('json')) {
      throw new ApiError('PROVIDER_ERROR', `${this.dialect.name} answered ${method} ${path} with ${res.contentType || 'no content type'} instead of JSON`, {
        providerMessage: providerMessage(res, this.dialect),
        providerCode: res.status,
      });
    }
  }
}

/**
 * Drops an answer body that will not be read. undici fails a body destroyed before its end
 * with an AbortError; the listener keeps that from becoming an uncaught exception.
 */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** The first `limit` bytes of an answer body (an error page, for its words); the rest is dropped. */
async function readHead(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  body.on('error', () => {});
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut off mid-way still has words worth showing.
  }
  discard(body);
  return Buffer.concat(chunks).subarray(0, limit);
}

/** Passes bytes through until `limit` have passed, then fails the stream. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? new Error(`the download is larger than ${limit} bytes (SWITCHBOARD_VENDOR_ANSWER_LIMIT)`) : null, chunk);
    },
  });
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

/** A vendor object passed on as its bytes, parsed on first use of `body`. */
export class PassedOnObject {
  readonly kind = 'object';
  #body: unknown;

  constructor(
    private readonly res: ReceivedResponse,
    private readonly path: string,
    private readonly dialect: VendorDialect,
  ) {}

  get json(): Buffer {
    return this.res.bytes;
  }

  get body(): unknown {
    this.#body ??= parseVendorJson(this.res, 'GET', this.path, this.dialect);
    return this.#body;
  }
}

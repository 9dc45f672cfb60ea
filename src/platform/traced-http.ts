import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { WatchingDispatcher } from './dispatcher-view.ts';
import { ForwardingHandler } from './forwarding-handler.ts';
import type { DispatcherOptions, OutboundHttp } from './outbound-http.ts';
import { maskUrlCredentials } from './url-credentials.ts';
import { isSecretName, REDACTED } from './secret-names.ts';

/** One vendor call as trace logging keeps it: secrets redacted, bodies cut at `TRACE_BODY_LIMIT`. */
export interface TracedCall {
  method: string;
  url: string;
  /** Null when no answer came; `error` says why. */
  status: number | null;
  error: string | null;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

/** Bytes of each body a trace keeps. */
export const TRACE_BODY_LIMIT = 64 * 1024;
/** Bodies of these types are kept as text; others as their size and type. */
const TEXTUAL = /json|text|xml|html|x-www-form-urlencoded/i;

/**
 * Replaces every occurrence of the instance's configured secrets (as sent and URL-encoded) with
 * `********`. Plain substring replacement: no pattern is built from a secret.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) if (out.includes(form)) out = out.split(form).join('********');
  }
  return out;
}

function headerRecord(headers: unknown, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name.toLowerCase()] = isSecretName(name) ? REDACTED : scrubSecrets(text, secrets);
  };
  if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) put(String(headers[i]), headers[i + 1]);
  else if (headers && typeof headers === 'object') {
    const entries = Symbol.iterator in headers ? [...(headers as Iterable<[string, unknown]>)] : Object.entries(headers);
    for (const [name, value] of entries) if (value !== undefined) put(name, value);
  }
  return out;
}

/** A body as a trace keeps it: text up to the limit, or a note of what it was. */
function bodyText(bytes: Buffer, total: number, contentType: string | undefined, secrets: readonly string[]): string {
  if (total === 0) return '';
  if (contentType !== undefined && !TEXTUAL.test(contentType)) return `[${total} bytes of ${contentType}]`;
  const text = scrubSecrets(bytes.toString('utf8'), secrets);
  return total > bytes.length ? `${text}… [cut at ${TRACE_BODY_LIMIT} of ${total} bytes]` : text;
}

function requestBody(body: unknown, contentType: string | undefined, secrets: readonly string[]): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return bodyText(bytes.subarray(0, TRACE_BODY_LIMIT), bytes.length, contentType, secrets);
  }
  return '[streamed body: not recorded]';
}

/** Hands the call's trace to `sink` when its answer ends or fails. */
class TracingHandler extends ForwardingHandler {
  readonly #started = performance.now();
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;
  #status: number | null = null;
  #responseHeaders: Record<string, string> | null = null;
  #responseType: string | undefined;

  constructor(
    handler: Dispatcher.DispatchHandler,
    private readonly request: Pick<TracedCall, 'method' | 'url' | 'requestHeaders' | 'requestBody'>,
    private readonly sink: (call: TracedCall) => void,
    private readonly secrets: readonly string[],
  ) {
    super(handler);
  }

  #done(error: Error | null): void {
    this.sink({
      ...this.request,
      status: this.#status,
      error: error ? error.message : null,
      durationMs: performance.now() - this.#started,
      responseHeaders: this.#responseHeaders,
      responseBody: this.#status === null ? null : bodyText(Buffer.concat(this.#chunks), this.#total, this.#responseType, this.secrets),
    });
  }

  override onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.#status = statusCode;
    this.#responseHeaders = headerRecord(headers, this.secrets);
    const type = headers['content-type'];
    this.#responseType = Array.isArray(type) ? type[0] : type;
    super.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#kept < TRACE_BODY_LIMIT) {
      const part = chunk.subarray(0, TRACE_BODY_LIMIT - this.#kept);
      this.#chunks.push(Buffer.from(part));
      this.#kept += part.length;
    }
    super.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#done(null);
    super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#done(error);
    super.onResponseError(controller, error);
  }
}

/**
 * A view of `http` whose calls are also handed to `sink` as traces (trace logging of one
 * instance, one API call). Made per call that traces; the pools stay `http`'s.
 */
export function tracedHttp(http: OutboundHttp, sink: (call: TracedCall) => void, secrets: readonly string[]): OutboundHttp {
  return {
    answerLimit: http.answerLimit,
    dispatcher: (options?: DispatcherOptions) =>
      new WatchingDispatcher(http.dispatcher(options), (opts, handler) => {
        const requestHeaders = headerRecord(opts.headers, secrets);
        const request = {
          method: opts.method,
          url: scrubSecrets(maskUrlCredentials(`${String(opts.origin ?? '').replace(/\/$/, '')}${opts.path}`), secrets),
          requestHeaders,
          requestBody: requestBody(opts.body, requestHeaders['content-type'], secrets),
        };
        return new TracingHandler(handler, request, sink, secrets);
      }),
    close: async () => undefined,
  };
}

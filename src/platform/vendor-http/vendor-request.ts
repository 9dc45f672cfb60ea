import type { Dispatcher } from 'undici';

/** Basic (username + password) or a bearer token: the credentials most vendors take. */
export type VendorAuth = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface VendorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  contentType: string;
}

/** An answer as it arrived: its bytes, decoded to text only when something reads `text`. */
export class ReceivedResponse implements VendorResponse {
  #text: string | undefined;

  constructor(
    readonly status: number,
    readonly headers: VendorResponse['headers'],
    readonly bytes: Buffer,
  ) {}

  get contentType(): string {
    return String(header(this, 'content-type') ?? '');
  }

  get text(): string {
    this.#text ??= this.bytes.toString('utf8');
    return this.#text;
  }
}

/** A failure below HTTP (DNS, TCP, TLS, a timeout), or an answer too large to read. */
export class VendorNetworkError extends Error {
  constructor(
    readonly cause_: 'dns' | 'refused' | 'policy' | 'timeout' | 'tls' | 'reset' | 'too-large' | 'other',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why the handler itself ended an answer: its size or its duration passed the limit. */
class AnswerLimitError extends Error {
  constructor(
    readonly code: 'ANSWER_TOO_LARGE' | 'ANSWER_TOO_SLOW',
    message: string,
  ) {
    super(message);
  }
}

export interface VendorHttpOptions {
  /** The vendor's base URL, with its context path (`https://example.com/helpdesk`). */
  baseUrl: string;
  /** `targetOf(baseUrl)`, worked out once with the options (the hub's hot path). */
  target?: VendorTarget;
  /** The `Authorization` header value (authorizationHeader), worked out once per configuration. */
  authorization?: string | undefined;
  /** Credentials a vendor takes in a header of its own (an API key header), worked out once per configuration. */
  credentialHeaders?: Record<string, string> | undefined;
  dispatcher: Dispatcher;
  /** Limit for the whole answer, headers and body. */
  timeoutMs: number;
  /** Largest answer body read, in bytes. */
  answerLimit: number;
}

export function authorizationHeader(auth: VendorAuth): string {
  return auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : `Bearer ${auth.token}`;
}

/** Where requests for one base URL go: its origin and its context path (e.g. `/helpdesk`). */
export interface VendorTarget {
  origin: string;
  basePath: string;
}

export function targetOf(baseUrl: string): VendorTarget {
  const url = new URL(baseUrl);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * One HTTP exchange with a vendor, never retried here: a retry of a credential failure would feed
 * the vendor's login lockout, so retrying is the caller's decision. Always asks for JSON. A
 * Buffer body goes as it is (with its content type in `extraHeaders`); anything else as JSON.
 *
 * This is the hub's hot path, so it talks to undici's dispatcher directly and collects the body
 * in a handler: `undici.request()` would wrap every answer in a Readable stream first, which cost
 * more CPU than the rest of a proxied call. `path` must already be percent-encoded.
 */
export function vendorRequest(
  options: VendorHttpOptions,
  method: Dispatcher.HttpMethod,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<ReceivedResponse> {
  const target = options.target ?? targetOf(options.baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (options.authorization) headers.authorization = options.authorization;
  if (options.credentialHeaders) Object.assign(headers, options.credentialHeaders);
  const raw = Buffer.isBuffer(body);
  if (body !== undefined && !raw) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const handler = new CollectingHandler(resolve, reject, options);
    try {
      options.dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.basePath + path,
          method,
          headers,
          body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
          // The agent bounds connecting; these bound waiting for the answer and for each body chunk.
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        },
        handler,
      );
    } catch (err) {
      handler.onResponseError(undefined, err as Error);
    }
  });
}

/**
 * Collects one answer in memory, within `answerLimit` bytes and `timeoutMs` for the whole call:
 * undici's own body timeout only bounds the pause between two chunks, so a vendor (or a proxy in
 * front of it) sending a trickle would otherwise hold the call open for good. A class rather than
 * closures, as it is made for every call.
 */
class CollectingHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #headers: VendorResponse['headers'] = {};
  readonly #chunks: Buffer[] = [];
  #length = 0;
  readonly #deadline: number;

  constructor(
    private readonly resolve: (response: ReceivedResponse) => void,
    private readonly reject: (err: VendorNetworkError) => void,
    private readonly options: VendorHttpOptions,
  ) {
    this.#deadline = Date.now() + options.timeoutMs;
  }

  // Its presence is what tells undici this handler speaks the current handler API.
  onRequestStart(): void {}

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: VendorResponse['headers']): void {
    this.#status = statusCode;
    this.#headers = headers;
    const declared = Number(header({ headers }, 'content-length'));
    if (declared > this.options.answerLimit) controller.abort(this.#tooLarge());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#length += chunk.length;
    if (this.#length > this.options.answerLimit) controller.abort(this.#tooLarge());
    else if (Date.now() > this.#deadline) controller.abort(new AnswerLimitError('ANSWER_TOO_SLOW', 'the answer took too long'));
    else this.#chunks.push(chunk);
  }

  #tooLarge(): AnswerLimitError {
    return new AnswerLimitError('ANSWER_TOO_LARGE', `larger than ${this.options.answerLimit} bytes`);
  }

  onResponseEnd(): void {
    const chunks = this.#chunks;
    this.resolve(new ReceivedResponse(this.#status, this.#headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  }

  onResponseError(_controller: unknown, err: Error): void {
    this.reject(classifyNetworkError(err, new URL(this.options.baseUrl), this.options.timeoutMs));
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|EPROTO|ERR_SSL|TLS/;

export function classifyNetworkError(err: unknown, url: URL, timeoutMs: number): VendorNetworkError {
  const e = err as { code?: string; name?: string; cause?: { code?: string }; message?: string };
  // An AbortSignal timeout surfaces as a DOMException whose numeric `code` means nothing here.
  const code = e.name === 'TimeoutError' || e.name === 'AbortError' ? e.name : String(e.code ?? e.cause?.code ?? e.name ?? 'UNKNOWN');
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new VendorNetworkError('dns', code, `the host name ${url.hostname} does not resolve (DNS ${code})`);
  // switchboard's own outbound policy, not the network: its message names the setting.
  if (code === 'OUTBOUND_REFUSED') return new VendorNetworkError('policy', code, e.message ?? 'the outbound policy refuses the address');
  if (code === 'ECONNREFUSED') return new VendorNetworkError('refused', code, `the connection to ${where} was refused`);
  if (code === 'ANSWER_TOO_LARGE')
    return new VendorNetworkError('too-large', code, `the answer from ${where} is ${e.message ?? ''} (SWITCHBOARD_VENDOR_ANSWER_LIMIT)`);
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ANSWER_TOO_SLOW' ||
    code === 'TimeoutError' ||
    code === 'AbortError' ||
    code === 'ETIMEDOUT'
  ) {
    return new VendorNetworkError('timeout', code, `${where} did not answer within ${Math.round(timeoutMs / 1000)} seconds`);
  }
  if (TLS_CODES.test(code)) {
    return new VendorNetworkError(
      'tls',
      code,
      `the TLS handshake with ${where} failed (${code}); if the server uses a self-signed or private certificate, put its CA certificate (PEM) in the configuration key ssl.ca.certificate`,
    );
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return new VendorNetworkError('reset', code, `${where} closed the connection (${code})`);
  return new VendorNetworkError('other', code, `the request to ${where} failed (${code}: ${e.message ?? ''})`);
}

export function header(res: Pick<VendorResponse, 'headers'>, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `<script>…</script>` and `<style>…</style>` blocks removed (an unclosed one runs to the end), in
 * one pass: a lazy regular expression with a back-reference rescans the rest of the page from
 * every opening tag, which is quadratic on a page of unclosed ones.
 */
export function withoutScriptsAndStyles(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let from = 0;
  let nextScript = lower.indexOf('<script', from);
  let nextStyle = lower.indexOf('<style', from);
  for (;;) {
    if (nextScript !== -1 && nextScript < from) nextScript = lower.indexOf('<script', from);
    if (nextStyle !== -1 && nextStyle < from) nextStyle = lower.indexOf('<style', from);
    const start = nextScript === -1 ? nextStyle : nextStyle === -1 ? nextScript : Math.min(nextScript, nextStyle);
    if (start === -1) return out + html.slice(from);
    const close = start === nextScript ? '</script>' : '</style>';
    const end = lower.indexOf(close, start);
    out += `${html.slice(from, start)} `;
    if (end === -1) return out;
    from = end + close.length;
  }
}

/**
 * The words of an error answer that is not the vendor's JSON error body: the text of an HTML page
 * (tags, scripts and styles removed), at most 500 characters. An error page's words are near its
 * top, so only its first 64 KB are read; every step below is linear in them.
 */
export function pageText(res: VendorResponse): string {
  const text = withoutScriptsAndStyles(res.text.slice(0, 64 * 1024))
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (text || `HTTP ${res.status}`).slice(0, 500);
}

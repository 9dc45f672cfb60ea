/**
 * The error catalogue: every error a caller can receive, with its HTTP status and default
 * message. `docs/errors.md` mirrors this table (a test keeps them in step).
 *
 * Every error body is `{requestId, message}` plus `providerMessage`/`providerCode` when a vendor
 * said something (see `toErrorBody`).
 */
export const errorCatalogue = {
  BAD_REQUEST: { status: 400, message: 'The request is invalid' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON' },
  VALIDATION_FAILED: { status: 400, message: 'The request failed validation' },
  MISSING_CONFIGURATION: { status: 400, message: 'Missing required configuration' },
  PROVIDER_AUTH_FAILED: { status: 400, message: 'The vendor rejected the credentials' },
  PROVIDER_ACCOUNT_LOCKED: { status: 400, message: 'The vendor account is locked' },
  PROVIDER_UNREACHABLE: { status: 400, message: 'Cannot reach the vendor' },
  PROVIDER_NOT_RECOGNISED: { status: 400, message: 'The address does not answer like the vendor' },
  PROVIDER_REJECTED: { status: 400, message: 'The vendor refused the request' },
  UNAUTHORIZED: { status: 401, message: 'An invalid element token, user secret and/or org secret provided' },
  MALFORMED_AUTHORIZATION: { status: 401, message: 'The Authorization header is malformed' },
  BAD_CONSOLE_CREDENTIALS: { status: 401, message: 'Invalid e-mail or password' },
  NO_CONSOLE_SESSION: { status: 401, message: 'No valid console session; sign in first' },
  CONSOLE_SESSION_ENDED: { status: 401, message: 'Your console session has ended (expired, signed out, or unknown to this server); sign in again' },
  NOT_DEFAULT_ACCOUNT: { status: 401, message: 'The Accounts API can only be used by users of the default account' },
  INSTANCE_CREDENTIALS_INVALID: { status: 401, message: "The instance's vendor credentials no longer work; update the instance configuration" },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this operation' },
  INSTANCE_DISABLED: { status: 403, message: 'The instance is disabled; enable it with PUT /instances/{id}/enabled' },
  PROVIDER_FORBIDDEN: { status: 403, message: 'The vendor does not allow this operation' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No resource at this path' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this path' },
  CONFLICT: { status: 409, message: 'The request conflicts with an existing resource' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type' },
  TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many failed sign-in attempts; try again later' },
  PROVIDER_RATE_LIMITED: { status: 429, message: 'The vendor is rate limiting this instance; retry after the time in Retry-After' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  TRANSFORMATION_SCRIPT_FAILED: { status: 500, message: 'A transformation script failed' },
  PROVIDER_ERROR: { status: 502, message: 'The vendor answered with an error' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Not ready: the database or the job queue does not answer' },
  PROVIDER_TIMEOUT: { status: 504, message: 'The vendor did not answer in time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface ErrorExtras {
  providerMessage?: string;
  providerCode?: number;
  /** Extra response headers, e.g. `Retry-After` or `Allow`. */
  headers?: Record<string, string>;
  /**
   * The vendor refused the instance's credentials (a 401, or a login lockout): calling it again
   * with them would only feed its lockout, so the instance is marked invalid and its background
   * work stops until the credentials change.
   */
  credentialsRejected?: boolean;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extras: ErrorExtras;

  constructor(code: ErrorCode, message?: string, extras: ErrorExtras = {}) {
    super(message ?? errorCatalogue[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.extras = extras;
  }
}

export interface ErrorBody {
  requestId: string;
  message: string;
  providerMessage?: string;
  providerCode?: number;
}

export function toErrorBody(requestId: string, error: ApiError): ErrorBody {
  const body: ErrorBody = { requestId, message: error.message };
  if (error.extras.providerMessage !== undefined) body.providerMessage = error.extras.providerMessage;
  if (error.extras.providerCode !== undefined) body.providerCode = error.extras.providerCode;
  return body;
}

export const notFound = (what: string): ApiError => new ApiError('NOT_FOUND', what);
export const badRequest = (message: string): ApiError => new ApiError('BAD_REQUEST', message);
export const conflict = (message: string): ApiError => new ApiError('CONFLICT', message);
export const forbidden = (message?: string): ApiError => new ApiError('FORBIDDEN', message);

/** What went wrong, for a log line or a stored last error: the message, and the vendor's own words when it said some. */
export function failureText(err: unknown): string {
  if (err instanceof ApiError) return err.extras.providerMessage ? `${err.message} (${err.extras.providerMessage})` : err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Whether an error says the vendor refused the instance's credentials (see `credentialsRejected`). */
export function rejectsCredentials(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'INSTANCE_CREDENTIALS_INVALID' || err.extras.credentialsRejected === true);
}

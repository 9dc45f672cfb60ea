import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, toErrorBody } from '../errors.ts';
import { CeqlError } from '../../ceql/ast.ts';

interface ValidationIssue {
  keyword?: unknown;
  instancePath?: unknown;
  params?: { additionalProperty?: unknown; allowedValue?: unknown; allowedValues?: unknown };
}

/** Most values a "must be one of" lists. */
const LISTED_VALUES = 20;

/**
 * What a failed validation says. Ajv's own message leaves out what it expected where a client
 * needs it most: "must NOT have additional properties" without the member, and a value outside a
 * union of constants as "must be equal to constant" once per branch. The member refused is named
 * (quoted and cut short: it is the caller's own text), and a value outside a set of constants is
 * told the values it may take, from the schema.
 */
function validationMessage(context: string | undefined, validation: unknown, fallback: string | undefined): string {
  const issues = (Array.isArray(validation) ? validation : []) as ValidationIssue[];
  const first = issues[0];
  const paths = new Set(issues.map((i) => i.instancePath));
  if (first && paths.size === 1 && issues.every((i) => i.keyword === 'const' || i.keyword === 'enum' || i.keyword === 'anyOf')) {
    const allowed = issues.flatMap((i) =>
      i.keyword === 'const' ? [i.params?.allowedValue] : i.keyword === 'enum' && Array.isArray(i.params?.allowedValues) ? i.params.allowedValues : [],
    );
    if (allowed.length > 0) {
      const listed = allowed.slice(0, LISTED_VALUES).map((v) => JSON.stringify(v));
      const more = allowed.length > LISTED_VALUES ? ', …' : '';
      const where = `${context ?? ''}${typeof first.instancePath === 'string' ? first.instancePath : ''}`;
      return `${where} must be ${allowed.length === 1 ? listed[0] : `one of ${listed.join(', ')}${more}`}`;
    }
  }
  const name = first?.keyword === 'additionalProperties' ? first.params?.additionalProperty : undefined;
  return `${fallback ?? 'invalid'}${typeof name === 'string' ? `: ${JSON.stringify(name.slice(0, 100))}` : ''}`;
}

const UNAVAILABLE_MESSAGE = 'The database cannot serve this call now; try again shortly';
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * Turns everything thrown into the Open Connectors error body. Known framework errors keep their
 * meaning (bad JSON 400, too large 413, wrong media type 415); anything unexpected is logged with
 * its stack and answered 500 with a bare message, so no stack trace ever leaves the server.
 */
export function toApiError(error: unknown, unavailable: (error: unknown) => boolean = () => false): ApiError {
  if (error instanceof ApiError) return error;
  if (unavailable(error)) return new ApiError('SERVICE_UNAVAILABLE', UNAVAILABLE_MESSAGE, { headers: { 'Retry-After': String(UNAVAILABLE_RETRY_SECONDS) } });
  if (error instanceof CeqlError) return new ApiError('BAD_REQUEST', `Invalid query: ${error.message}`);
  const e = error as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (e.validation) {
    // A path that does not fit its pattern names no resource (`/accounts/-1`, `/instances/abc`).
    if (e.validationContext === 'params') return new ApiError('NOT_FOUND', `No such resource: ${e.message}`);
    return new ApiError('VALIDATION_FAILED', `Invalid request: ${validationMessage(e.validationContext, e.validation, e.message)}`);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', `Unsupported Content-Type; send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('INVALID_JSON', 'The request body is empty but Content-Type is application/json');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    default:
      break;
  }
  if (e.statusCode === 400 && (error instanceof SyntaxError || /JSON/i.test(e.message ?? ''))) {
    return new ApiError('INVALID_JSON');
  }
  if (e.statusCode === 413) return new ApiError('PAYLOAD_TOO_LARGE');
  if (e.statusCode === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE');
  return new ApiError('INTERNAL');
}

/**
 * `unavailable` tells an error of a store that cannot serve now (down, restarting): that call is a
 * 503 with `Retry-After`, not a 500.
 */
export function registerErrorHandler(app: FastifyInstance, unavailable?: (error: unknown) => boolean): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error, unavailable);
    logFailure(request.log, apiError, error);
    return sendError(request, reply, apiError);
  });
}

/** What the log says of a call that failed: 4xx are the caller's and leave no line. */
export function logFailure(log: Pick<FastifyBaseLogger, 'error' | 'warn'>, apiError: ApiError, error: unknown): void {
  if (apiError.code === 'INTERNAL') log.error({ err: error }, 'unhandled error');
  // A vendor or a database that does not answer is expected now and then: one line, no stack.
  else if (apiError.status >= 500) log.warn({ err: error instanceof Error ? error.message : String(error) }, apiError.message);
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) reply.header(name, value);
  // A request refused before its body was read (no credentials, say) is answered and its
  // connection closed: reading a body nobody will use would let any client hold the socket.
  if (!request.raw.complete) reply.header('connection', 'close');
  return reply.code(error.status).type('application/json; charset=utf-8').send(toErrorBody(request.id, error));
}

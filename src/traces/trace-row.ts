import type { TracedCall } from '../platform/traced-http.ts';
import type { NewTrace } from './trace-repository.ts';

/** The row that stores one traced call of `owner`'s (instance id 0: a call made before any instance existed). */
export function traceRow(owner: { id: number; organizationId: number; accountId: number }, requestId: string | null, call: TracedCall, at: Date): NewTrace {
  const requestHeaders = JSON.stringify(call.requestHeaders);
  const responseHeaders = call.responseHeaders && JSON.stringify(call.responseHeaders);
  return {
    organization_id: owner.organizationId,
    account_id: owner.accountId,
    instance_id: owner.id,
    request_id: requestId,
    method: call.method,
    url: call.url,
    status: call.status,
    error: call.error,
    duration_ms: Math.round(call.durationMs * 1000) / 1000,
    request_headers: requestHeaders,
    request_body: call.requestBody,
    response_headers: responseHeaders,
    response_body: call.responseBody,
    bytes: call.url.length + requestHeaders.length + (responseHeaders?.length ?? 0) + (call.requestBody?.length ?? 0) + (call.responseBody?.length ?? 0) + 200,
    created_at: at.toISOString(),
  };
}

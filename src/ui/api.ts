import type { ElementJson, ConfigurationJson, MetadataJson } from '../elements/schemas.ts';
import type { InstanceJson } from '../instances/schemas.ts';
import type { ErrorBodyJson } from '../platform/http/schemas.ts';
import type { SecretsJson } from '../auth/schemas.ts';
import type { AnalyticsItem as AnalyticsItemSchema, LatencyItem as LatencyItemSchema, UsageJson } from '../usage/schemas.ts';
import type { Static } from 'typebox';
import type { TraceJson } from '../traces/schemas.ts';
import type { BulkErrorJson, BulkStatusJson } from '../bulk/bulk-status.ts';

/** Types from the server's own route schemas: the console reads exactly what the API serialises. */
export type Element = ElementJson;
export type ElementMetadata = MetadataJson;
export type ConfigurationDefinition = ConfigurationJson;
export type Instance = InstanceJson;
export type Secrets = SecretsJson;
export type Usage = UsageJson;
export type Trace = TraceJson;
export type UsageWithTraces = UsageJson & { traces: TraceJson[] };
export type AnalyticsItem = Static<typeof AnalyticsItemSchema>;
export type LatencyItem = Static<typeof LatencyItemSchema>;
export type BulkJob = Static<typeof BulkStatusJson>;
export type BulkError = Static<typeof BulkErrorJson>;
/** The error body; `requestId` is missing only for errors the console makes itself (no network). */
export type ApiError = Omit<ErrorBodyJson, 'requestId'> & { requestId?: string };

export const API = '/elements/api-v2';
const KEY = 'switchboard.secrets';

/** Thrown for every non-2xx answer; `status` 401 means "sign in again". */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.message);
  }
}

let onUnauthorized: () => void = () => undefined;
export const setUnauthorizedHandler = (fn: () => void) => {
  onUnauthorized = fn;
};

export const storedSecrets = (): Secrets | null => {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Secrets) : null;
};
export const forgetSecrets = () => sessionStorage.removeItem(KEY);

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Signs in with the console login and fetches the secrets every later call uses. */
export async function signIn(email: string, password: string): Promise<Secrets> {
  const res = await fetch('/elements/j_spring_security_check', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ j_username: email, j_password: password }),
    credentials: 'same-origin',
  });
  if (!res.ok) throw new HttpError(res.status, (await parse(res)) as ApiError);
  const secrets = await fetch('/elements/api-v1/ui/getSecrets', { credentials: 'same-origin' });
  if (!secrets.ok) throw new HttpError(secrets.status, (await parse(secrets)) as ApiError);
  const value = (await secrets.json()) as Secrets;
  sessionStorage.setItem(KEY, JSON.stringify(value));
  return value;
}

export async function signOut(): Promise<void> {
  forgetSecrets();
  await fetch('/elements/j_spring_security_logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
}

export interface CallResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A call to the public API with the signed-in user's secrets (and an instance token when given),
 * answered as it came; a refusal throws as `api` does, and its body is read.
 */
export async function apiRaw(method: string, path: string, init: { accept?: string; body?: unknown } = {}, token?: string): Promise<Response> {
  const secrets = storedSecrets();
  if (!secrets) {
    onUnauthorized();
    throw new HttpError(401, { message: 'Sign in first' });
  }
  const headers: Record<string, string> = { authorization: `User ${secrets.user}, Organization ${secrets.company}${token ? `, Element ${token}` : ''}` };
  if (init.accept) headers.accept = init.accept;
  // A form (an upload) sets its own multipart content type.
  const form = init.body instanceof FormData;
  if (init.body !== undefined && !form) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : form ? (init.body as FormData) : JSON.stringify(init.body),
    });
  } catch {
    throw new HttpError(0, { message: 'The server cannot be reached. Is switchboard running?' });
  }
  if (res.status === 401 && !token) {
    forgetSecrets();
    onUnauthorized();
  }
  if (!res.ok) throw new HttpError(res.status, ((await parse(res)) ?? { message: `HTTP ${res.status}` }) as ApiError);
  return res;
}

/** A call to the public API (JSON, or a form for uploads), its answer parsed. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<CallResult<T>> {
  const res = await apiRaw(method, path, { body }, token);
  return { status: res.status, headers: res.headers, body: (await parse(res)) as T };
}

/** A user-facing sentence for an API error: the platform message plus what the vendor said. */
export function describeError(err: unknown, vendor = 'the vendor'): string {
  if (err instanceof HttpError) return err.body.providerMessage ? `${err.body.message} — ${vendor} said: ${err.body.providerMessage}` : err.body.message;
  return err instanceof Error ? err.message : String(err);
}

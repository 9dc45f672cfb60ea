import type { ElementJson, ConfigurationJson, MetadataJson } from '../elements/schemas.ts';
import type { InstanceJson } from '../instances/schemas.ts';
import type { ErrorBodyJson } from '../platform/http/schemas.ts';
import type { LoginJson, SecretsJson } from '../auth/schemas.ts';
import type { AnalyticsItem as AnalyticsItemSchema, LatencyItem as LatencyItemSchema, UsageJson } from '../usage/schemas.ts';
import type { Static } from 'typebox';
import type { TraceJson } from '../traces/schemas.ts';
import type { BulkErrorJson, BulkStatusJson } from '../bulk/bulk-status.ts';
import type { EventJson, EventStatusJson } from '../events/schemas.ts';
import type { JobJson } from '../scheduled-jobs/schemas.ts';
import type { DeliveryJson, NotificationJson, SubscriptionJson } from '../notifications/schemas.ts';
import type { AccountJson, UserJson } from '../tenancy/schemas.ts';
import type { AccountSettings as AccountSettingsJson } from '../tenancy/account-settings.ts';
import type { PasswordPolicy as PasswordPolicyJson } from '../tenancy/password-policy.ts';

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
export type EventRecord = EventJson;
export type EventDelivery = EventJson['deliveries'][number];
export type EventStatus = EventStatusJson;
export type ScheduledJob = JobJson;
export type PlatformNotification = NotificationJson;
export type NotificationSubscription = SubscriptionJson;
export type NotificationDelivery = DeliveryJson;
export type Account = AccountJson;
export type User = UserJson;
export type AccountSettings = AccountSettingsJson;
export type PasswordPolicy = PasswordPolicyJson;
/** The error body; `requestId` is missing only for errors the console makes itself (no network). */
export type ApiError = Omit<ErrorBodyJson, 'requestId'> & { requestId?: string };

export const API = '/elements/api-v2';
/** The signed-in console user, as the console login answers. */
export type ConsoleUser = Static<typeof LoginJson>;

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

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The console authenticates by its session cookie alone: no secret is kept in the page or in
 * browser storage, so every tab shares the session, and its expiry or a sign-out in any tab ends
 * it everywhere.
 */
async function sessionCall(method: string, path: string, body?: URLSearchParams): Promise<Response> {
  try {
    return await fetch(path, { method, body, credentials: 'same-origin' });
  } catch {
    throw new HttpError(0, { message: 'The server cannot be reached. Is switchboard running?' });
  }
}

/**
 * The signed-in user; without one, `ended` tells a session that expired, was signed out in
 * another tab or is unknown to this server from a browser that never signed in.
 */
export async function currentSession(): Promise<{ user: ConsoleUser } | { user: null; ended: boolean }> {
  const res = await sessionCall('GET', '/elements/api-v1/ui/session');
  const body = await parse(res);
  if (res.status === 401) return { user: null, ended: /ended/.test((body as ApiError | undefined)?.message ?? '') };
  if (!res.ok) throw new HttpError(res.status, body as ApiError);
  return { user: body as ConsoleUser };
}

export async function signIn(email: string, password: string): Promise<ConsoleUser> {
  const res = await sessionCall('POST', '/elements/j_spring_security_check', new URLSearchParams({ j_username: email, j_password: password }));
  if (!res.ok) throw new HttpError(res.status, (await parse(res)) as ApiError);
  return (await res.json()) as ConsoleUser;
}

/** The user's secrets, read when a page shows them, and held by that page only. */
export async function fetchSecrets(): Promise<Secrets> {
  const res = await sessionCall('GET', '/elements/api-v1/ui/getSecrets');
  if (res.status === 401) onUnauthorized();
  if (!res.ok) throw new HttpError(res.status, (await parse(res)) as ApiError);
  return (await res.json()) as Secrets;
}

export async function signOut(): Promise<void> {
  await sessionCall('POST', '/elements/j_spring_security_logout').catch(() => undefined);
}

export interface CallResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A call to the public API as the signed-in user (and with an instance token when given),
 * answered as it came; a refusal throws as `api` does, and its body is read.
 */
export interface CallOptions {
  accept?: string;
  body?: unknown;
  /** Answer a refusal as it came (the explorer shows it) rather than throw it. */
  refusals?: boolean;
}

export async function apiRaw(method: string, path: string, init: CallOptions = {}, token?: string): Promise<Response> {
  // The custom header marks the console's own call; only such a call may use the session cookie.
  const headers: Record<string, string> = { 'x-switchboard-console': '1' };
  if (token) headers.authorization = `Element ${token}`;
  if (init.accept) headers.accept = init.accept;
  // A form (an upload) sets its own multipart content type.
  const form = init.body instanceof FormData;
  if (init.body !== undefined && !form) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? undefined : form ? (init.body as FormData) : JSON.stringify(init.body),
    });
  } catch {
    throw new HttpError(0, { message: 'The server cannot be reached. Is switchboard running?' });
  }
  // A 401 may be the vendor refusing an instance's credentials: only an ended session signs out.
  if (res.status === 401 && (await currentSession().catch(() => undefined))?.user === null) onUnauthorized();
  if (!res.ok && !init.refusals) throw new HttpError(res.status, ((await parse(res)) ?? { message: `HTTP ${res.status}` }) as ApiError);
  return res;
}

/** A call to the public API (JSON, or a form for uploads), its answer parsed. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<CallResult<T>> {
  const res = await apiRaw(method, path, { body }, token);
  return { status: res.status, headers: res.headers, body: (await parse(res)) as T };
}

/** Why an instance's page has no instance: a real not-found state, or the error itself. */
export function instanceLoadError(err: unknown, id: string): string {
  return err instanceof HttpError && err.status === 404 ? `There is no instance ${id} in this organization.` : describeError(err);
}

/** A user-facing sentence for an API error: the platform message plus what the vendor said. */
export function describeError(err: unknown, vendor = 'the vendor'): string {
  if (err instanceof HttpError) return err.body.providerMessage ? `${err.body.message} — ${vendor} said: ${err.body.providerMessage}` : err.body.message;
  return err instanceof Error ? err.message : String(err);
}

import type { Generated, Selectable } from 'kysely';

/**
 * Table types. Both dialects store the same column types: integers for ids and booleans (0/1),
 * ISO-8601 UTC text for timestamps, JSON as text. That keeps one code path for SQLite and
 * PostgreSQL and makes timestamps sort as strings.
 */
export interface Database {
  platform_keys: PlatformKeysTable;
  organizations: OrganizationsTable;
  accounts: AccountsTable;
  users: UsersTable;
  console_sessions: ConsoleSessionsTable;
  login_attempts: LoginAttemptsTable;
  instances: InstancesTable;
  instance_tags: InstanceTagsTable;
  jobs: JobsTable;
  event_sources: EventSourcesTable;
  event_dedupe: EventDedupeTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  object_definitions: ObjectDefinitionsTable;
  transformations: TransformationsTable;
  usage: UsageTable;
  vendor_traces: VendorTraceTable;
  bulk_jobs: BulkJobTable;
  bulk_chunks: BulkChunkTable;
  bulk_errors: BulkErrorTable;
  scheduled_jobs: ScheduledJobTable;
  notifications: NotificationTable;
  notification_subscriptions: NotificationSubscriptionTable;
  notification_deliveries: NotificationDeliveryTable;
  webhook_removals: WebhookRemovalTable;
}

/**
 * A deleted instance's vendor webhook still to remove (`events/webhook-removals.ts`): the vendor
 * could not remove it when the instance was deleted.
 */
export interface WebhookRemovalTable {
  id: string;
  organization_id: number;
  /** The deleted instance's id, for the log. */
  instance_id: number;
  element_key: string;
  vendor_webhook_id: string;
  /** The deleted instance's configuration and vendor facts (`HubContext.instance`), encrypted. */
  context_enc: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

/** A platform notification (`POST /notifications`). */
export interface NotificationTable {
  id: string;
  organization_id: number;
  account_id: number;
  /** Who posted it. */
  user_id: number;
  topic: string;
  severity: string;
  message: string;
  /** Its `from`, as given. */
  sender: string | null;
  /** 1 once acknowledged. */
  acknowledged: number;
  created_at: string;
}

/** A subscription to topics of platform notifications (`/notifications/subscriptions`). */
export interface NotificationSubscriptionTable {
  id: string;
  organization_id: number;
  account_id: number;
  user_id: number;
  /** 1: made in the organization's default account, it hears every account's notifications. */
  organization_wide: number;
  channel: string;
  /** The topics, as a JSON array. */
  topics: string;
  /** The URL as shown: credentials masked. */
  url: string;
  /** The URL whole, encrypted, when it holds credentials. */
  url_enc: string | null;
  /** 0 once its deliveries failed for good: what it hears then waits, queued. */
  active: number;
  created_at: string;
}

/** One notification's delivery to one subscription. */
export interface NotificationDeliveryTable {
  id: string;
  organization_id: number;
  notification_id: string;
  subscription_id: string;
  channel: string;
  topic: string;
  /** The subscription's URL as shown (credentials masked). */
  url: string;
  /** pending, sending, delivered, queued or failed. */
  status: string;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** A scheduled API call (`/jobs`). */
export interface ScheduledJobTable {
  id: string;
  organization_id: number;
  account_id: number;
  /** The user who made it: the job is deleted with them. */
  user_id: number;
  name: string;
  description: string | null;
  /** The Quartz cron expression of its trigger, as given. */
  cron: string;
  /** The call (`ScheduledCall` as JSON), encrypted: it holds the Authorization it runs with. */
  call_enc: string;
  /** The next fire; null once the trigger fires no more. */
  next_fire_at: string | null;
  last_fire_at: string | null;
  /** The HTTP status of the last fire's call; null while it runs or when no answer came. */
  last_status: number | null;
  /** The last call's `Elements-Request-Id` (its usage record: `GET /usage/{requestId}`). */
  last_request_id: string | null;
  last_error: string | null;
  last_finished_at: string | null;
  created_at: string;
}

/** A bulk job (`/hubs/{hub}/bulk`). */
export interface BulkJobTable {
  /** 24 hex characters. */
  id: string;
  organization_id: number;
  instance_id: number;
  kind: 'export' | 'import';
  object_name: string;
  /** An export's CEQL `select` as given; an import's file name. */
  query: string;
  /** An import's `metaData.identifierFieldName`: rows whose value of it exists update, others create. */
  identifier_field: string | null;
  /** `Elements-Async-Callback-Url`, encrypted: told the job's status when it ends. */
  callback_url_enc: string | null;
  /** When the callback was handed to the job queue; null until then (and for jobs without one). */
  callback_queued_at: Generated<string | null>;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  records_count: Generated<number>;
  records_failed_count: Generated<number>;
  /** What the vendor said the query matches, when it said; an import's row count. */
  total_estimate: number | null;
  /** Where the job goes on (an export's element cursor, an import's row; JSON); null before the first step. */
  checkpoint: string | null;
  /** Chunks written so far: an export's result pages, an import's uploaded rows. */
  chunks: Generated<number>;
  message: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** One vendor page of a job's result: NDJSON lines of the records as the hub shapes them, deflated, base64, encrypted. */
/** A row of an import that the vendor refused (`GET /hubs/{hub}/bulk/{id}/errors`). */
export interface BulkErrorTable {
  /** `<job id>.<row>`, zero-padded. */
  id: string;
  job_id: string;
  /** 1 for the file's first record. */
  row_number: number;
  /** `{record, message, providerMessage?}` as JSON, encrypted. */
  data_enc: string;
}

export interface BulkChunkTable {
  /** `<job id>.<seq>`, zero-padded so that text order is chunk order. */
  id: string;
  job_id: string;
  seq: number;
  data_enc: string;
}

/** One vendor call of an instance with trace logging on (`GET /instances/{id}/traces`). */
export interface VendorTraceTable {
  id: Generated<number | string>;
  organization_id: number;
  account_id: number;
  instance_id: number;
  /** `Elements-Request-Id` of the API call that made it; null for a poll's calls. */
  request_id: string | null;
  method: string;
  /** Secrets scrubbed, user info removed. */
  url: string;
  /** Null when no answer came (`error` says why). */
  status: number | null;
  error: string | null;
  duration_ms: number;
  /** JSON object; `Authorization`, cookies and secret-named headers redacted. */
  request_headers: string;
  /** Text of at most 64 KB, secrets scrubbed; null without a body. */
  request_body: string | null;
  response_headers: string | null;
  response_body: string | null;
  /** What the row holds, for the organization's size cap. */
  bytes: number;
  /** ISO 8601. */
  created_at: string;
}

/** One API call (`GET /usage`). */
export interface UsageTable {
  /** The traffic id (a bigint on PostgreSQL, which the driver returns as text). */
  id: Generated<number | string>;
  /** `Elements-Request-Id` of the call. */
  request_id: string;
  organization_id: number;
  account_id: number;
  user_id: number;
  instance_id: number | null;
  element_key: string | null;
  hub: string | null;
  method: string;
  /** The route template (`/hubs/:hub/incidents/:id`). */
  route: string;
  /** Path and query as called, secrets in the query redacted. */
  request_uri: string;
  status: number;
  process_time_ms: number;
  vendor_calls: number;
  vendor_time_ms: number;
  request_ip: string;
  /** ISO 8601. */
  usage_date: string;
}

export type Level = 'organization' | 'account' | 'instance';

/** A common resource's definition at one level; `account_id`/`instance_id` are 0 where unused. */
export interface ObjectDefinitionsTable {
  id: Generated<number>;
  organization_id: number;
  level: string;
  account_id: number;
  instance_id: number;
  object_name: string;
  /** JSON array of `{path, type, ...}`. */
  fields: string;
  created_at: string;
  updated_at: string;
}

/** A mapping of an element's vendor object onto a common resource, at one level. */
export interface TransformationsTable {
  id: Generated<number>;
  organization_id: number;
  level: string;
  account_id: number;
  instance_id: number;
  element_key: string;
  object_name: string;
  /** JSON: `{vendorName, fields, configuration, script, isLegacy, startDate}`. */
  body: string;
  created_at: string;
  updated_at: string;
}

/** One tag of an instance (the same list as `instances.tags`, as rows for filtering). */
export interface InstanceTagsTable {
  instance_id: number;
  tag: string;
}

export interface JobsTable {
  id: string;
  name: string;
  payload: string;
  singleton_key: string | null;
  /** queued | active | failed */
  status: string;
  run_at: string;
  attempts: number;
  retry_limit: number;
  lease_ms: number;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
}

/** One row per instance with events on: how its events arrive and where polling stands. */
export interface EventSourcesTable {
  instance_id: number;
  organization_id: number;
  /** polling | webhook */
  kind: string;
  interval_minutes: number;
  next_poll_at: string | null;
  /** JSON: per object, the newest vendor change seen. */
  cursor: string | null;
  last_poll_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  webhook_secret_hash: string | null;
  webhook_secret_enc: string | null;
  vendor_webhook_id: string | null;
  /** auto (registered in the vendor by switchboard) | manual (the user registers the URL) | none */
  registration: string;
  updated_at: string;
}

export interface EventDedupeTable {
  instance_id: number;
  object_type: string;
  object_id: string;
  version: string;
  created_at: string;
}

/** One notification's worth of events: the event log. */
export interface EventsTable {
  id: string;
  organization_id: number;
  instance_id: number;
  element_key: string;
  /** polling | webhook */
  source: string;
  /** NEW | DISPATCHED | NOTIFIED | FAILED */
  status: string;
  event_date: string;
  events: string;
  provider_data: string;
  created_at: string;
}

/** The outbox: one POST to a callback URL, with its attempts. */
export interface DeliveriesTable {
  id: string;
  event_id: string;
  organization_id: number;
  instance_id: number;
  /** The callback URL as shown: its user info masked. */
  url: string;
  /** The whole callback URL, sealed, when it carries user info (`null`: `url` is whole). */
  url_enc: string | null;
  /** The exact bytes sent (and signed). */
  body: string;
  /** pending | sending | delivered | failed, or held while an asynchronous call runs */
  status: string;
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface InstancesTable {
  id: Generated<number>;
  organization_id: number;
  account_id: number;
  user_id: number;
  element_key: string;
  name: string;
  /** JSON array of strings. */
  tags: string;
  token_hash: string;
  token_enc: string;
  /** The whole configuration map, encrypted (AAD `instance:<id>:configuration`). */
  configuration_enc: string;
  provider_data_enc: string | null;
  /** JSON of what provisioning learned from the vendor (version, user, time zone); no secrets. */
  vendor_meta: string;
  valid: number;
  disabled: number;
  events_enabled: number;
  trace_logging_enabled: number;
  caching_enabled: number;
  max_cache_size: number;
  cache_time_to_live: number;
  external_authentication: string;
  created_at: string;
  updated_at: string;
}

export interface PlatformKeysTable {
  name: string;
  value_enc: string;
  created_at: string;
}

export interface OrganizationsTable {
  id: Generated<number>;
  name: string;
  secret_hash: string;
  secret_enc: string;
  /** JSON of the organization's password rules; null for the default. */
  password_policy: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccountsTable {
  id: Generated<number>;
  organization_id: number;
  name: string;
  description: string;
  external_id: string;
  default_account: number;
  active: number;
  /** JSON of the account's settings; null for the defaults. */
  settings: string | null;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  organization_id: number;
  account_id: number;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string | null;
  secret_hash: string;
  secret_enc: string;
  /** JSON array of role keys. */
  roles: string;
  active: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  user_id: number;
  expires_at: string;
  created_at: string;
}

export interface LoginAttemptsTable {
  email: string;
  failures: number;
  last_failure_at: string;
  locked_until: string | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type UserRow = Selectable<UsersTable>;
export type InstanceRow = Selectable<InstancesTable>;

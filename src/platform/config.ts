import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOutboundList } from './outbound-policy.ts';

/**
 * Configuration is read once, at start, from the environment and frozen. Every variable also
 * has a `<NAME>_FILE` variant (Docker/Kubernetes secrets): when set, the file's content (without
 * the trailing newline) is the value. Code never reads `process.env` anywhere else.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://…` switches the store to PostgreSQL; absent means SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * How long a PostgreSQL connection may stay silent while a query waits on it, and how often the
   * listening connection asks whether the database is still there.
   */
  readonly databaseTimeoutMs: number;
  readonly logLevel: string;
  /** Master key (base64 or hex of 32 bytes). Absent: generated into `dataDir` on first start. */
  readonly masterKey: string | undefined;
  /** Keys that may still have ciphertexts in the store while a rotation runs (comma-separated). */
  readonly previousMasterKeys: readonly string[];
  readonly bootstrap: BootstrapConfig;
  readonly consoleLogin: ConsoleLoginConfig;
  /** Largest accepted JSON request body, in bytes. */
  readonly bodyLimit: number;
  /** How long a client may take to send one whole request, headers and body; then the socket is closed. */
  readonly requestTimeoutMs: number;
  /**
   * Whose `X-Forwarded-*` headers to believe (a TLS proxy in front): `false`, `true` (any), or
   * the proxies' addresses and CIDRs, comma-separated. Decides the protocol, and so whether the
   * console's session cookie is `Secure`.
   */
  readonly trustProxy: boolean | string;
  /** Addresses, CIDRs and host names switchboard may connect to (only these, when set). */
  readonly outboundAllow: readonly string[];
  /** Addresses, CIDRs and host names switchboard never connects to. */
  readonly outboundDeny: readonly string[];
  /** How long one call to a vendor may take before it counts as a timeout. */
  readonly vendorTimeoutMs: number;
  /** Largest vendor answer read into memory, in bytes. */
  readonly vendorAnswerLimit: number;
  /** Largest file accepted by hub uploads (attachments), in bytes. */
  readonly uploadLimit: number;
  /** How long a resolved hub `Authorization` header is reused (0 turns the cache off). */
  readonly hubCacheTtlMs: number;
  /** Memory all instances' cached hub answers may hold together (`cachingEnabled`), in bytes. */
  readonly responseCacheBytes: number;
  /** The URL vendors use to reach switchboard (webhooks); default: the listening address. */
  readonly publicUrl: string | undefined;
  /**
   * Bearer token `GET /metrics` requires. Unset: only clients on this machine's loopback may
   * read the metrics.
   */
  readonly metricsToken: string | undefined;
  /** Days a usage record is kept; older ones are deleted in batches every hour. */
  readonly usageRetentionDays: number;
  /** Days a bulk job that ended, and its result, are kept. */
  readonly bulkRetentionDays: number;
  /** Bulk imports: the largest file (bytes), the most records in one, and rows written to the vendor at once. */
  readonly bulkUploadLimit: number;
  readonly bulkMaxRows: number;
  readonly bulkImportConcurrency: number;
  /** Whether each API call leaves a usage record (`GET /usage`); off, nothing is recorded. */
  readonly usageRecording: boolean;
  /**
   * Which answered calls get an access line: `unrecorded`, those without a usage record (the
   * record holds every field of the line) and those whose answer failed; `all`, every call.
   */
  readonly accessLog: 'unrecorded' | 'all';
  /** What one organization's vendor traces (`traceLoggingEnabled`) may hold together, in bytes. */
  readonly traceLimitBytes: number;
  /** Scheduled jobs (`/jobs`): the shortest interval between two fires of one, and how many an organization may have. */
  readonly jobs: { readonly minIntervalMs: number; readonly perOrganization: number };
  /** `all` (API + worker, the default), `api` or `worker`. */
  readonly role: 'all' | 'api' | 'worker';
  readonly events: {
    readonly tickMs: number;
    readonly deliveryBaseDelayMs: number;
    readonly deliveryTimeoutMs: number;
    readonly deliveryConcurrency: number;
    readonly pollConcurrency: number;
  };
}

export interface BootstrapConfig {
  readonly organizationSecret: string | undefined;
  readonly userSecret: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
}

export interface ConsoleLoginConfig {
  /** The legacy `/elements/j_spring_security_check` + `getSecrets` endpoints. */
  readonly enabled: boolean;
  readonly sessionTtlMinutes: number;
  /** Failed attempts for one e-mail before each further attempt is delayed. */
  readonly slowDownAfter: number;
  /** Failed attempts for one e-mail before sign-in is refused for `lockoutMinutes`. */
  readonly lockoutAfter: number;
  readonly lockoutMinutes: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {}

function read(env: Env, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== '') {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const value = env[name];
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function parseConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const databaseUrl = read(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const config: Config = {
    host: read(env, 'HOST') ?? '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    dataDir: resolve(cwd, read(env, 'SWITCHBOARD_DATA_DIR') ?? 'data'),
    databaseUrl,
    databaseTimeoutMs: integer(env, 'SWITCHBOARD_DATABASE_TIMEOUT_MS', 30_000, 500, 3_600_000),
    logLevel: read(env, 'LOG_LEVEL') ?? 'info',
    masterKey: read(env, 'SWITCHBOARD_MASTER_KEY'),
    previousMasterKeys: Object.freeze(
      (read(env, 'SWITCHBOARD_PREVIOUS_MASTER_KEYS') ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    bootstrap: Object.freeze({
      organizationSecret: read(env, 'SWITCHBOARD_ORGANIZATION_SECRET'),
      userSecret: read(env, 'SWITCHBOARD_USER_SECRET'),
      adminEmail: read(env, 'SWITCHBOARD_ADMIN_EMAIL'),
      adminPassword: read(env, 'SWITCHBOARD_ADMIN_PASSWORD'),
    }),
    consoleLogin: Object.freeze({
      enabled: boolean(env, 'SWITCHBOARD_CONSOLE_LOGIN', true),
      sessionTtlMinutes: integer(env, 'SWITCHBOARD_SESSION_TTL_MINUTES', 60, 1, 24 * 60),
      slowDownAfter: integer(env, 'SWITCHBOARD_LOGIN_SLOWDOWN_AFTER', 3, 1, 1000),
      lockoutAfter: integer(env, 'SWITCHBOARD_LOGIN_LOCKOUT_AFTER', 10, 1, 1000),
      lockoutMinutes: integer(env, 'SWITCHBOARD_LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    }),
    bodyLimit: integer(env, 'SWITCHBOARD_BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024),
    requestTimeoutMs: integer(env, 'SWITCHBOARD_REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    trustProxy: trustProxy(read(env, 'SWITCHBOARD_TRUST_PROXY')),
    outboundAllow: outboundList(env, 'SWITCHBOARD_OUTBOUND_ALLOW'),
    outboundDeny: outboundList(env, 'SWITCHBOARD_OUTBOUND_DENY'),
    vendorTimeoutMs: integer(env, 'SWITCHBOARD_VENDOR_TIMEOUT_MS', 15_000, 100, 600_000),
    // At most 256 MiB: an answer is decoded to one string, and V8 strings stop at about 512 MiB.
    vendorAnswerLimit: integer(env, 'SWITCHBOARD_VENDOR_ANSWER_LIMIT', 128 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    uploadLimit: integer(env, 'SWITCHBOARD_UPLOAD_LIMIT', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    hubCacheTtlMs: integer(env, 'SWITCHBOARD_HUB_CACHE_TTL_MS', 2000, 0, 60_000),
    responseCacheBytes: integer(env, 'SWITCHBOARD_RESPONSE_CACHE_MB', 64, 1, 64 * 1024) * 1024 * 1024,
    publicUrl: read(env, 'SWITCHBOARD_PUBLIC_URL')?.replace(/\/+$/, ''),
    metricsToken: read(env, 'SWITCHBOARD_METRICS_TOKEN'),
    usageRetentionDays: integer(env, 'SWITCHBOARD_USAGE_RETENTION_DAYS', 30, 1, 3650),
    usageRecording: boolean(env, 'SWITCHBOARD_USAGE_RECORDING', true),
    accessLog: oneOf(env, 'SWITCHBOARD_ACCESS_LOG', ['unrecorded', 'all'] as const, 'unrecorded'),
    bulkRetentionDays: integer(env, 'SWITCHBOARD_BULK_RETENTION_DAYS', 7, 1, 365),
    bulkUploadLimit: integer(env, 'SWITCHBOARD_BULK_UPLOAD_MB', 100, 1, 10_240) * 1024 * 1024,
    bulkMaxRows: integer(env, 'SWITCHBOARD_BULK_MAX_ROWS', 1_000_000, 1, 100_000_000),
    bulkImportConcurrency: integer(env, 'SWITCHBOARD_BULK_IMPORT_CONCURRENCY', 4, 1, 32),
    traceLimitBytes: integer(env, 'SWITCHBOARD_TRACE_LIMIT_MB', 100, 1, 100 * 1024) * 1024 * 1024,
    jobs: Object.freeze({
      minIntervalMs: integer(env, 'SWITCHBOARD_JOBS_MIN_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
      perOrganization: integer(env, 'SWITCHBOARD_JOBS_PER_ORGANIZATION', 1000, 1, 1_000_000),
    }),
    role: oneOf(env, 'SWITCHBOARD_ROLE', ['all', 'api', 'worker'] as const, 'all'),
    events: Object.freeze({
      tickMs: integer(env, 'SWITCHBOARD_EVENT_TICK_MS', 5000, 20, 600_000),
      deliveryBaseDelayMs: integer(env, 'SWITCHBOARD_DELIVERY_BASE_DELAY_MS', 4000, 0, 3_600_000),
      deliveryTimeoutMs: integer(env, 'SWITCHBOARD_DELIVERY_TIMEOUT_MS', 10_000, 100, 300_000),
      deliveryConcurrency: integer(env, 'SWITCHBOARD_DELIVERY_CONCURRENCY', 32, 1, 1000),
      // Polls wait on the vendor, not on this process's CPU.
      pollConcurrency: integer(env, 'SWITCHBOARD_POLL_CONCURRENCY', 16, 1, 1000),
    }),
  };
  // Jobs live in the database's own table on either store (docs/adr/0006); a setting that would
  // be silently ignored is refused instead.
  if (read(env, 'QUEUE') !== undefined)
    throw new ConfigError('QUEUE is no longer a setting: jobs always live in the database (docs/adr/0006-job-queue-in-the-store.md); remove it');
  return Object.freeze(config);
}

/** `SWITCHBOARD_TRUST_PROXY`: unset or `false`, `true`, or a comma-separated list of addresses and CIDRs. */
function trustProxy(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  const entries = value.split(',').map((v) => v.trim());
  if (entries.some((e) => !/^[0-9a-fA-F:.]{2,45}(\/\d{1,3})?$/.test(e))) {
    throw new ConfigError(`SWITCHBOARD_TRUST_PROXY must be true, false or addresses and CIDRs separated by commas, not "${value}"`);
  }
  return entries.join(',');
}

/** A comma-separated outbound list, checked here so that a typo is a start-up error. */
function outboundList(env: Env, name: string): readonly string[] {
  const entries = Object.freeze(
    (read(env, name) ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  );
  try {
    parseOutboundList(name, entries);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return entries;
}

import type { FastifyInstance } from 'fastify';
import { parseConfig, type Config } from '../../src/platform/config.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { buildApp, buildServices, API_PREFIX, type Services } from '../../src/app.ts';
import { bootstrapIfEmpty, type BootstrapSecrets } from '../../src/tenancy/bootstrap.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { injectInto } from '../../src/platform/http/in-process-call.ts';
import { newTestStore, type TestStoreTarget } from './test-store.ts';

/** How long one step of closing a test server may take before the test says which step hangs. */
const CLOSE_STEP_MS = 20_000;

/**
 * The sockets still open, as `localPort->remotePort`. Only Node's undocumented `_getActiveHandles`
 * gives the sockets themselves; where it is gone, the public list of resource kinds is the next
 * best answer.
 */
function openSockets(): string {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  if (typeof handles !== 'function') return process.getActiveResourcesInfo().join(', ') || 'none';
  const sockets = handles
    .call(process)
    .filter((h): h is { localPort?: number; remotePort?: number } => typeof h === 'object' && h !== null && 'remotePort' in h)
    .map((h) => `${h.localPort}->${h.remotePort}`);
  return sockets.join(', ') || 'none';
}

/**
 * Runs one step of closing a test server. A step that hangs fails with its name and the sockets
 * still open (their ports tell the database from HTTP peers), where the hook's own timeout would
 * say only that the hook timed out.
 */
async function closing(step: string, close: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`closing the test server: ${step} did not finish in ${CLOSE_STEP_MS} ms; open sockets: ${openSockets()}`));
    }, CLOSE_STEP_MS);
  });
  try {
    await Promise.race([close(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Real time plus an offset the test moves: everything runs as usual, and a test that needs
 * "later" (a session's expiry, a retry's due time) advances the clock instead of sleeping.
 */
export class TestClock implements Clock {
  #offset = 0;
  now(): Date {
    return new Date(Date.now() + this.#offset);
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `<origin>/elements/api-v2` */
  api: string;
  app: FastifyInstance;
  store: Store;
  services: Services;
  config: Config;
  target: TestStoreTarget;
  clock: TestClock;
  admin: BootstrapSecrets;
  /** `User …, Organization …` of the bootstrap admin. */
  auth: string;
  close(): Promise<void>;
}

/**
 * Starts a real switchboard on 127.0.0.1 with an ephemeral port over a fresh SQLite or
 * PostgreSQL store (per SWITCHBOARD_TEST_STORE), bootstrapped with one organization.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  /** Runs on the built app before it listens: a test's own hooks go here. */
  beforeListen?: (app: FastifyInstance) => void,
): Promise<TestServer> {
  const target = await newTestStore();
  const config = parseConfig({
    SWITCHBOARD_DATA_DIR: target.dataDir,
    ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    SWITCHBOARD_LOGIN_SLOWDOWN_AFTER: '100',
    SWITCHBOARD_EVENT_TICK_MS: '100',
    ...env,
  });
  const clock = new TestClock();
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, silenceMs: config.databaseTimeoutMs });
  await migrateToLatest(store);
  const services = await buildServices({ config, store, clock, logger: false });
  const admin = await bootstrapIfEmpty(services.tenancy, config.bootstrap, config.dataDir);
  if (!admin) throw new Error('test store was not empty');
  const app = await buildApp({ config, store, clock, logger: false }, services);
  beforeListen?.(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  if (!config.publicUrl) services.publicUrl.value = address;
  if (config.role !== 'api') {
    await services.worker.start();
    await services.bulk.start();
    await services.notifications.start();
    await services.scheduledJobs.start(injectInto(app));
  }
  return {
    origin: address,
    api: `${address}${API_PREFIX}`,
    app,
    store,
    services,
    config,
    target,
    clock,
    admin,
    auth: `User ${admin.userSecret}, Organization ${admin.organizationSecret}`,
    async close() {
      await closing('app.close()', () => app.close());
      await closing('services.close()', () => services.close());
      await closing('store.close()', () => store.close());
    },
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** fetch + JSON over a real socket; the body is parsed when it is JSON. */
export async function call<T = any>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<JsonResponse<T>> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { ...init, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

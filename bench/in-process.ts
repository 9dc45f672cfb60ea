import { parseConfig } from '../src/platform/config.ts';
import { openStore } from '../src/store/db.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { buildApp, buildServices, API_PREFIX } from '../src/app.ts';
import { bootstrapIfEmpty } from '../src/tenancy/bootstrap.ts';
import { benchDataDir } from './processes.ts';

/**
 * A switchboard in the benchmark's own process, on a fresh store (SQLite, or DATABASE_URL when
 * set), bootstrapped and listening on an ephemeral port.
 */
export async function startInProcess(env: Record<string, string> = {}) {
  const config = parseConfig({
    SWITCHBOARD_DATA_DIR: benchDataDir('in-process'),
    LOG_LEVEL: 'error',
    ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }),
    ...env,
  });
  const store = openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, silenceMs: config.databaseTimeoutMs });
  await migrateToLatest(store);
  const services = await buildServices({ config, store, logger: false });
  const admin = (await bootstrapIfEmpty(services.tenancy, config.bootstrap, config.dataDir))!;
  const app = await buildApp({ config, store, logger: false }, services);
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  services.publicUrl.value = origin;
  return {
    config,
    store,
    services,
    app,
    origin,
    api: `${origin}${API_PREFIX}`,
    auth: `User ${admin.userSecret}, Organization ${admin.organizationSecret}`,
    async close() {
      await app.close();
      await services.close();
      await store.close();
    },
  };
}

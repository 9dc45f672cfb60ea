import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseConfig, type Config } from './platform/config.ts';
import { openStore, type Store } from './store/db.ts';
import { isDatabaseUnavailable } from './store/unavailable.ts';
import { migrateToLatest } from './store/migrate.ts';
import { buildApp, buildServices, API_PREFIX, type Services } from './app.ts';
import { bootstrapIfEmpty, bootstrapPath, type BootstrapSecrets } from './tenancy/bootstrap.ts';
import { withStartupLock } from './store/startup-lock.ts';
import { addActiveKey, loadCipher } from './platform/keyring.ts';
import { reencryptAll } from './store/encrypted-columns.ts';
import { ensureConsoleBuilt } from './platform/http/console.ts';
import { injectInto } from './platform/http/in-process-call.ts';
import { type ClosingStep, closeInSteps } from './platform/closing-steps.ts';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, silenceMs: config.databaseTimeoutMs });
  try {
    await withStartupLock(store, () => migrateToLatest(store));
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Opens the store and, while no other process sharing it does the same, migrates it, builds the
 * services (checking the master key against the data) and, when asked, creates the first
 * organization of an empty store.
 */
async function open(config: Config, bootstrap: boolean): Promise<{ store: Store; services: Services; created: BootstrapSecrets | undefined }> {
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, silenceMs: config.databaseTimeoutMs });
  try {
    return await withStartupLock(store, async () => {
      await migrateToLatest(store);
      const services = await buildServices({ config, store });
      await services.eventRepo.sealPlainDeliveryUrls();
      const created = bootstrap ? await bootstrapIfEmpty(services.tenancy, config.bootstrap, config.dataDir) : undefined;
      return { store, services, created };
    });
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Runs the steps of a stop, then exits: 0 when each step closed, 1 when one failed (its error is
 * in the log). The last log lines reach the reader first, unless it is stuck.
 */
async function closeAndExit(logger: Logger, steps: readonly ClosingStep[]): Promise<never> {
  const closed = await closeInSteps(logger, steps).then(
    () => true,
    () => false,
  );
  await Promise.race([new Promise<void>((r) => logger.flush(() => r())), new Promise((r) => setTimeout(r, 1000).unref())]);
  process.exit(closed ? 0 : 1);
}

/** Pinned first-start values that an existing store makes moot are named, not silently dropped. */
async function warnAboutPinnedValues(config: Config, services: Services): Promise<void> {
  const ignored = await services.tenancy.pinnedValuesNotInForce(config.bootstrap);
  if (ignored.length === 0) return;
  const message = `${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} set but not in force: they are used only on the first start, to create the first organization, and this database already has one where they match nothing`;
  services.logger.warn({ settings: ignored }, message);
  process.stderr.write(`switchboard: warning: ${message}\n`);
}

async function serve(options: { demo?: boolean; demoJiraPort?: string }): Promise<void> {
  const config = parseConfig();
  if (config.role === 'worker') return runWorker(config);
  // Demo: a seeded Jira emulator in the same process, so the README's cURL works at once.
  const demoJira = options.demo ? await startDemoJira(Number(options.demoJiraPort ?? 2990)) : undefined;
  const { store, services, created } = await open(config, true);
  if (!created) await warnAboutPinnedValues(config, services);
  await ensureConsoleBuilt((m) => process.stdout.write(`${m}\n`));
  const app = await buildApp({ config, store }, services);
  const withWorker = config.role === 'all';

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then release the database.
    await closeAndExit(services.logger, [
      ['calls in flight', () => app.close()],
      ...services.closingSteps,
      ['the database', () => store.close()],
      ['the demo Jira', () => demoJira?.close()],
    ]);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ host: config.host, port: config.port });
  if (!config.publicUrl) services.publicUrl.value = address;
  if (withWorker) {
    await services.worker.start();
    await services.scheduledJobs.start(injectInto(app));
    services.usage.startRetention();
    services.traces.startRetention();
    await services.bulk.start();
    await services.notifications.start();
  }
  const base = `${address}${API_PREFIX}`;
  if (created) {
    process.stdout.write(
      `${[
        '',
        'switchboard created your organization and its admin user:',
        `  Organization secret: ${created.organizationSecret}`,
        `  User secret:         ${created.userSecret}`,
        `  Admin e-mail:        ${created.adminEmail}`,
        `  Admin password:      ${created.adminPassword}`,
        `(also saved in ${bootstrapPath(config.dataDir)}, readable only by you)`,
        '',
        'Try it:',
        `  curl -H "Authorization: User ${created.userSecret}, Organization ${created.organizationSecret}" ${base}/elements/jiraonprem`,
        '',
      ].join('\n')}\n`,
    );
  }
  if (demoJira) {
    const secrets = created ?? readBootstrap(config.dataDir);
    process.stdout.write(
      `${[
        '',
        `Demo Jira (emulator) at ${demoJira.baseUrl}: users admin/admin, jiradev/jiradev, kevin/kevin; projects CE and HELP.`,
        'Create a Jira On Prem instance:',
        `  curl -X POST ${base}/instances \\`,
        `    -H "Authorization: User ${secrets?.userSecret ?? '<USER_SECRET>'}, Organization ${secrets?.organizationSecret ?? '<ORGANIZATION_SECRET>'}" \\`,
        '    -H "Content-Type: application/json" \\',
        `    -d '{"element": {"key": "jiraonprem"}, "configuration": {"username": "jiradev", "password": "jiradev", "siteAddress": "${demoJira.baseUrl}"}, "tags": ["Docs"], "name": "API Instance"}'`,
        '',
      ].join('\n')}\n`,
    );
  }
  process.stdout.write(`web console at ${address}/\n`);
  process.stdout.write(`switchboard API listening on ${base}${withWorker ? '' : ' (no worker: SWITCHBOARD_ROLE=api)'}\n`);
}

/** The worker alone: polls, webhook processing, deliveries and scheduled jobs, no HTTP. */
async function runWorker(config: Config): Promise<void> {
  const { store, services } = await open(config, false);
  let app: FastifyInstance | undefined;
  // The worker's timers are unref'd (in `serve` the HTTP server holds the process open) and SQLite
  // holds no socket: without this, the process would end as soon as it had started.
  const alive = setInterval(() => undefined, 2 ** 31 - 1);
  // Handlers before the line that says the worker runs: whoever reads it may signal at once, and a
  // signal without a handler kills the process outright.
  const stop = async () => {
    clearInterval(alive);
    await closeAndExit(services.logger, [['scheduled calls in flight', () => app?.close()], ...services.closingSteps, ['the database', () => store.close()]]);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // Scheduled jobs call the API inside this process: the app is built, and never listens.
  app = await buildApp({ config, store }, services);
  await services.worker.start();
  await services.scheduledJobs.start(injectInto(app));
  services.usage.startRetention();
  services.traces.startRetention();
  await services.bulk.start();
  await services.notifications.start();
  process.stdout.write(`switchboard worker running (${store.dialect} store, no HTTP)\n`);
}

async function startDemoJira(port: number) {
  const { startJiraEmulator } = await import('../emulators/jira-server/index.ts');
  return startJiraEmulator({ port, host: '127.0.0.1' });
}

function readBootstrap(dataDir: string): { userSecret: string; organizationSecret: string } | undefined {
  try {
    return JSON.parse(readFileSync(bootstrapPath(dataDir), 'utf8')) as { userSecret: string; organizationSecret: string };
  } catch {
    return undefined;
  }
}

const program = new Command().name('switchboard').description('Self-hosted Open Connectors-compatible integration platform');

program
  .command('serve', { isDefault: true })
  .description('run the API (the default)')
  .option('--demo', 'also start a seeded Jira emulator (for trying the API without a Jira)')
  .option('--demo-jira-port <port>', 'port of the demo Jira', '2990')
  .action(serve);

program
  .command('migrate')
  .description('bring the database schema to the latest version')
  .action(async () => {
    const config = parseConfig();
    const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, silenceMs: config.databaseTimeoutMs });
    try {
      const applied = await withStartupLock(store, () => migrateToLatest(store));
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    } finally {
      await store.close();
    }
  });

program
  .command('worker')
  .description('run only the worker: polls, webhook processing, deliveries and scheduled jobs')
  .action(() => runWorker(parseConfig()));

const org = program.command('org').description('organizations');
org
  .command('create')
  .description('create an organization with its default account and an admin user; prints the secrets as JSON')
  .requiredOption('--name <name>', 'organization name')
  .requiredOption('--admin-email <email>', 'e-mail of the admin user')
  .option('--admin-password <password>', 'password of the admin user (generated when absent)')
  .action(async (opts: { name: string; adminEmail: string; adminPassword?: string }) => {
    const config = parseConfig();
    await withStore(config, async (store) => {
      const { tenancy } = await buildServices({ config, store });
      const r = await tenancy.createOrganization({ name: opts.name, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword });
      process.stdout.write(
        `${JSON.stringify(
          {
            organizationId: r.organization.id,
            name: r.organization.name,
            accountId: r.account.id,
            userId: r.user.id,
            organizationSecret: r.organizationSecret,
            userSecret: r.userSecret,
            adminEmail: r.user.email,
            adminPassword: r.adminPassword,
          },
          null,
          2,
        )}\n`,
      );
    });
  });

const keys = program.command('keys').description('encryption keys');
keys
  .command('rotate')
  .description('make a new master key active and re-encrypt every stored secret under it, while servers keep running')
  .action(async () => {
    const config = parseConfig();
    await withStore(config, async (store) => {
      let keyId: string;
      if (config.masterKey === undefined) {
        // The key file: add a key, make it active; running servers notice the file change.
        keyId = addActiveKey(config.dataDir);
      } else {
        // Operator-supplied keys: the new key is SWITCHBOARD_MASTER_KEY, the old ones SWITCHBOARD_PREVIOUS_MASTER_KEYS.
        if (config.previousMasterKeys.length === 0)
          throw new Error('with SWITCHBOARD_MASTER_KEY, set the new key there and the old one(s) in SWITCHBOARD_PREVIOUS_MASTER_KEYS');
        keyId = loadCipher(config.dataDir, config.masterKey, config.previousMasterKeys).activeKeyId;
      }
      const cipher = loadCipher(config.dataDir, config.masterKey, config.previousMasterKeys);
      const reencrypted = await reencryptAll(store, cipher);
      process.stdout.write(`${JSON.stringify({ activeKeyId: keyId, reencrypted }, null, 2)}\n`);
    });
  });

/** Why the command failed, in a line; a database that does not answer is named, without its credentials. */
function failureMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isDatabaseUnavailable(err)) return message;
  const url = process.env.DATABASE_URL;
  let where = 'the SQLite file is locked by another process';
  if (url) {
    try {
      const parsed = new URL(url);
      where = `DATABASE_URL points at ${parsed.host}${parsed.pathname}`;
    } catch {
      where = 'DATABASE_URL';
    }
  }
  return `the database does not answer (${where}): ${message}. Check that it runs and accepts connections, then start again`;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`switchboard: ${failureMessage(err)}\n`);
  process.exit(1);
});

import { Command } from 'commander';
import { parseConfig, type Config } from './platform/config.ts';
import { openStore, type Store } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { buildApp, buildServices, API_PREFIX } from './app.ts';
import { bootstrapIfEmpty, bootstrapPath } from './tenancy/bootstrap.ts';

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(store);
    return await work(store);
  } finally {
    await store.close();
  }
}

async function serve(): Promise<void> {
  const config = parseConfig();
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(store);
  const services = await buildServices({ config, store });
  const created = await bootstrapIfEmpty(services.tenancy, config.bootstrap, config.dataDir);
  const app = await buildApp({ config, store }, services);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then release the database.
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ host: config.host, port: config.port });
  const base = `${address}${API_PREFIX}`;
  if (created) {
    process.stdout.write([
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
    ].join('\n') + '\n');
  }
  process.stdout.write(`switchboard API listening on ${base}\n`);
}

const program = new Command().name('switchboard').description('Self-hosted Open Connectors-compatible integration platform');

program.command('serve', { isDefault: true }).description('run the API (the default)').action(serve);

program.command('migrate').description('bring the database schema to the latest version').action(async () => {
  const config = parseConfig();
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(store);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await store.close();
  }
});

const org = program.command('org').description('organizations');
org.command('create')
  .description('create an organization with its default account and an admin user; prints the secrets as JSON')
  .requiredOption('--name <name>', 'organization name')
  .requiredOption('--admin-email <email>', 'e-mail of the admin user')
  .option('--admin-password <password>', 'password of the admin user (generated when absent)')
  .action(async (opts: { name: string; adminEmail: string; adminPassword?: string }) => {
    const config = parseConfig();
    await withStore(config, async (store) => {
      const { tenancy } = await buildServices({ config, store });
      const r = await tenancy.createOrganization({ name: opts.name, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword });
      process.stdout.write(JSON.stringify({
        organizationId: r.organization.id, name: r.organization.name, accountId: r.account.id, userId: r.user.id,
        organizationSecret: r.organizationSecret, userSecret: r.userSecret, adminEmail: r.user.email, adminPassword: r.adminPassword,
      }, null, 2) + '\n');
    });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

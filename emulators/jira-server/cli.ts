import { Command } from 'commander';
import { startJiraEmulator } from './server.ts';
import { DEFAULT_VERSION } from './profiles.ts';

/** `npm run jira-emulator -- --port 2990 [--context /jira] [--version 9.12.2] [--tz Europe/Berlin] [--seed-issues N]` */
const program = new Command()
  .name('jira-emulator')
  .description('Jira Server / Data Center emulator')
  .option('--port <port>', 'port to listen on', '2990')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--context <path>', 'context path, e.g. /jira', '')
  .option('--version <version>', 'Jira version to emulate', DEFAULT_VERSION)
  .option('--tz <zone>', 'instance time zone', 'UTC')
  .option('--seed-issues <n>', 'number of seeded issues', '120')
  .action(async (opts: { port: string; host: string; context: string; version: string; tz: string; seedIssues: string }) => {
    const running = await startJiraEmulator({
      port: Number(opts.port),
      host: opts.host,
      contextPath: opts.context,
      version: opts.version,
      timeZone: opts.tz,
      seedIssues: Number(opts.seedIssues),
    });
    process.stdout.write(`Jira ${opts.version} emulator ready at ${running.baseUrl} (users admin/admin, jiradev/jiradev, kevin/kevin)\n`);
    const stop = async () => {
      await running.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`jira-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

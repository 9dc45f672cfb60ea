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

/**
 * The path of the bundle of `entry` for the sources as they are now, made if it is not there yet;
 * undefined when `cacheDir` cannot be written. It lives in `cacheDir`, which must be inside the
 * package, so that the bundle's imports of dependencies resolve to the package's node_modules.
 * Bundles of other versions of the same checkout are removed; checkouts that share node_modules
 * (a git worktree linked to it, say) keep theirs apart. One call per process: it ends the
 * bundler's service.
 */
export async function bundledEntry({ root, entry, cacheDir }) {
  // The bundler's version from its package file: loading the bundler itself takes longer than the
  // rest of this check, and is needed only to make a bundle.
  const { version } = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8'));
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 8);
  const file = join(cacheDir, `${checkout}-${digestOf(root, version)}.mjs`);
  if (statSync(file, { throwIfNoEntry: false })) return file;
  const esbuild = await import('esbuild');
  try {
    mkdirSync(cacheDir, { recursive: true });
    return await build(esbuild, { root, entry, file, checkout, cacheDir });
  } catch (err) {
    if (CANNOT_WRITE.has(err?.code)) return undefined;
    throw err;
  } finally {
    // The bundler's service process would otherwise live as long as the server.
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

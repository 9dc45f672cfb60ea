import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundledEntry, removeBundles } from '../../bin/bundle.js';

const BUNDLE = pathToFileURL(resolve(import.meta.dirname, '../../bin/bundle.js')).href;
const run = promisify(execFile);

/** A copy of test/fixtures/bundle, a package in miniature, to change at will. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-bundle-'));
  cpSync(resolve(import.meta.dirname, '../fixtures/bundle'), root, { recursive: true });
  return root;
}

const load = async (file: string) => (await import(`${pathToFileURL(file).href}?${Date.now()}`)) as { own: string; parts: string[] };

describe('the bundle bin/switchboard.js runs', () => {
  it('holds every module, each seeing its own source file as import.meta, and the parts found by folder', async () => {
    const root = fixture();
    const file = await bundledEntry({ root, entry: 'src/main.ts', cacheDir: join(root, 'cache') });
    const bundle = await load(file!);
    expect(bundle.own).toBe(pathToFileURL(join(root, 'src/main.ts')).href);
    expect(bundle.parts.sort()).toEqual(['a', 'b']);
  });

  it('is made once per version of the sources; a changed source makes a new one and the old one goes', async () => {
    const root = fixture();
    const options = { root, entry: 'src/main.ts', cacheDir: join(root, 'cache') };
    const first = (await bundledEntry(options))!;
    const madeAt = statSync(first).mtimeMs;
    expect(await bundledEntry(options)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(madeAt);

    writeFileSync(join(root, 'src/parts/b/part.ts'), "export const name: string = 'changed';\n");
    const second = (await bundledEntry(options))!;
    expect(second).not.toBe(first);
    expect((await load(second)).parts.sort()).toEqual(['a', 'changed']);
    expect(readdirSync(options.cacheDir)).toEqual([second.split('/').pop()]);
  });

  it('is made once when several processes start at once on new sources', async () => {
    const root = fixture();
    const options = { root, entry: 'src/main.ts', cacheDir: join(root, 'cache') };
    const script = `const { bundledEntry } = await import(${JSON.stringify(BUNDLE)}); console.log(await bundledEntry(${JSON.stringify(options)}));`;
    const files = await Promise.all(
      [1, 2, 3].map(async () => (await run(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })).stdout.trim()),
    );
    expect(new Set(files).size).toBe(1);
    expect(readdirSync(options.cacheDir)).toEqual([files[0]!.split('/').pop()]);
    expect((await load(files[0]!)).parts.sort()).toEqual(['a', 'b']);
  });

  it('is not made from a source that does not compile: esbuild names the file in its error, and nothing is left behind', async () => {
    const root = fixture();
    writeFileSync(join(root, 'src/parts/b/part.ts'), 'export const name: string = ;\n');
    await expect(bundledEntry({ root, entry: 'src/main.ts', cacheDir: join(root, 'cache') })).rejects.toThrow(/src\/parts\/b\/part\.ts:1:\d+: ERROR/);
    // Nothing half made is left behind.
    expect(readdirSync(join(root, 'cache'))).toEqual([]);
  });

  it('of one checkout can be removed, and the bundles of others stay', async () => {
    const [one, other] = [fixture(), fixture()];
    const cacheDir = join(one, 'cache');
    const kept = (await bundledEntry({ root: other, entry: 'src/main.ts', cacheDir }))!;
    await bundledEntry({ root: one, entry: 'src/main.ts', cacheDir });
    removeBundles({ root: one, cacheDir });
    expect(readdirSync(cacheDir)).toEqual([kept.split('/').pop()]);
  });

  it('is not made where this user may not write (bin/switchboard.js then runs the sources through tsx)', async () => {
    expect(await bundledEntry({ root: fixture(), entry: 'src/main.ts', cacheDir: '/sys/switchboard-bundle' })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

/** `src/<top>/...` of every relative import in a file. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => relative(SRC, resolve(dirname(file), m[1]!)));
}

const area = (path: string) => path.split('/')[0]!;

describe('dependency rules (DESIGN.md)', () => {
  const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

  it('platform imports no feature', () => {
    for (const { file, imports } of all.filter((f) => area(f.file) === 'platform')) {
      for (const imp of imports) {
        // The CEQL error type is vendor-neutral syntax, not a feature.
        if (imp.startsWith('ceql/')) continue;
        expect(area(imp), `${file} imports ${imp}`).toBe('platform');
      }
    }
  });

  it("an element imports only the platform's element-facing modules, ceql and the hub contracts, never the router, the store, jobs or another element", () => {
    // What an element may use of the hubs: the contracts it implements, the poll by change time, the in-memory paging helper and the object-field helpers.
    const hubContracts = new Set(['hubs/hub-contract.ts', 'hubs/event-contract.ts', 'hubs/changed-since-poll.ts', 'hubs/paging.ts', 'hubs/object-fields.ts']);
    for (const { file, imports } of all.filter(
      (f) => f.file.startsWith('elements/') && f.file.split('/').length > 2 && !f.file.startsWith('elements/routes/'),
    )) {
      const element = file.split('/')[1];
      for (const imp of imports) {
        const ok =
          (imp.startsWith('platform/') && !imp.startsWith('platform/http/') && imp !== 'platform/config.ts') ||
          imp.startsWith('ceql/') ||
          hubContracts.has(imp) ||
          /^hubs\/[a-z]+\/contract\.ts$/.test(imp) ||
          imp.startsWith(`elements/${element}/`) ||
          imp === 'elements/element-definition.ts' ||
          imp === 'elements/element-module.ts';
        expect(ok, `${file} imports ${imp}`).toBe(true);
      }
    }
  });

  // Each element's vendor words. Every element folder must be listed, so that a new connector
  // brings its words and the rules below hold for it too.
  const vendorWords: Record<string, RegExp> = { jiraonprem: /jira|jql/i, redmine: /redmine/i };
  const elementOf = (file: string) => (file.startsWith('elements/') && file.split('/').length > 2 ? file.split('/')[1] : undefined);

  it('every element folder has its vendor words listed here', () => {
    const folders = readdirSync(join(SRC, 'elements')).filter((name) => name !== 'routes' && statSync(join(SRC, 'elements', name)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(vendorWords).sort());
  });

  it("product code names a vendor only inside that vendor's element folder (the demo wiring in main.ts aside)", () => {
    for (const { file } of all) {
      if (file === 'main.ts') continue;
      const own = elementOf(file);
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const [element, words] of Object.entries(vendorWords)) {
        if (element !== own) expect(text, `${file} names the vendor of ${element}`).not.toMatch(words);
      }
    }
  });

  it('only app.ts and main.ts choose adapters (store, signals, job queue, outbound HTTP)', () => {
    // Calls, not the definitions (`function openStore(`).
    const choosing = /(?<!function )openStore\(|new PostgresSignals\(|new LocalSignals\(|new SqlJobQueue\(|(?<!function )createOutboundHttp\(/;
    for (const { file } of all) {
      if (file === 'app.ts' || file === 'main.ts') continue;
      expect(readFileSync(join(SRC, file), 'utf8'), file).not.toMatch(choosing);
    }
  });

  it('encrypts and decrypts only in repositories and the store (one declared list of encrypted columns)', () => {
    const crypto = /\.seal\(|\.encrypt\(|\.decrypt\(|lookupHash\(|box\.open\(/;
    // console-sessions.ts is the console sessions' repository: it looks session ids up by hash.
    const allowed = (file: string) =>
      file.endsWith('-repository.ts') ||
      area(file) === 'store' ||
      file === 'platform/secret-box.ts' ||
      file === 'platform/crypto.ts' ||
      file === 'auth/console-sessions.ts';
    for (const { file } of all) {
      if (allowed(file)) continue;
      expect(readFileSync(join(SRC, file), 'utf8'), file).not.toMatch(crypto);
    }
  });

  it('server code keeps no module-level mutable state: caches and pools are per-app services', () => {
    // Two apps in one process (tests, a future multi-tenant host) must not share caches, and a
    // module-level cache is invisible to the cross-process invalidation.
    const mutable =
      /^(export )?(let|var) |^(export )?const \w+(: (?!Readonly)[^=]+)? = new (Map|Set|WeakMap|WeakSet|Int32Array|Uint8Array|Array)\b|^(export )?const \w+ = Buffer\./m;
    for (const { file } of all) {
      // The console runs in a browser page, one app per page.
      if (area(file) === 'ui') continue;
      expect(readFileSync(join(SRC, file), 'utf8'), file).not.toMatch(mutable);
    }
  });
});

describe('house style', () => {
  it('every doc comment sits on what it documents: none is followed by another doc comment', () => {
    // A declaration inserted between a doc comment and its function leaves the comment on the
    // wrong thing, where readers and editors take it for the new declaration's.
    const ROOT = resolve(SRC, '..');
    const sources = ['src', 'test', 'bench', 'emulators'].flatMap((dir) => files(join(ROOT, dir)));
    const orphaned = sources.filter((f) => /^[ \t]*\*\/[ \t]*\n[ \t]*\/\*\*/m.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(orphaned).toEqual([]);
  });
});

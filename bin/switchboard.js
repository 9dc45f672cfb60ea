#!/usr/bin/env -S node --max-semi-space-size=8
// The flag keeps V8's young generation at 16 MB where it would grow to 32 MB under any load, at no
// measured cost in CPU (docs/operations.md, Memory); package.json's scripts that start this file give it too.
// Runs the TypeScript sources as one bundle, made again whenever they change (bin/bundle.js).
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledEntry } from './bundle.js';

const root = dirname(import.meta.dirname);
const entry = await bundledEntry({ root, entry: 'src/main.ts', cacheDir: join(root, 'node_modules/.cache/switchboard') });
if (entry) {
  // Stack traces name the TypeScript files and lines, as they would through tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(entry).href);
} else {
  // A package folder this user may not write to: the sources run through tsx, which starts slower.
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}

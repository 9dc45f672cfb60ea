#!/usr/bin/env -S node --max-semi-space-size=8
// The flag keeps V8's young generation at 16 MB where it would grow to 32 MB under any load, at no
// measured cost in CPU (docs/operations.md, Memory); package.json's scripts that start this file give it too.
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

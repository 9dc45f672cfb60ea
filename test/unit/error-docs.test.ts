import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorCatalogue } from '../../src/platform/errors.ts';

describe('docs/errors.md', () => {
  it('lists every catalogue code with its status and default message, and nothing else', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.+?) \| .+ \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
    const expected = Object.entries(errorCatalogue).map(([code, e]) => [code, e.status, e.message]);
    expect(rows).toEqual(expected);
  });
});

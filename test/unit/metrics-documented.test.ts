import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/platform/metrics.ts';

describe('metrics', () => {
  it('every metric the process serves is in the table of docs/operations.md', async () => {
    const metrics = new Metrics({ droppedLogLines: () => 0, queueDepth: async () => [], recordWriters: () => [] });
    const table = readFileSync(resolve(import.meta.dirname, '../../docs/operations.md'), 'utf8');
    const documented = (name: string) =>
      table.includes(`| \`${name}\` |`) ||
      // prom-client's own process metrics are one row.
      /^switchboard_(process|nodejs)_/.test(name);
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !documented(name))).toEqual([]);
  });
});

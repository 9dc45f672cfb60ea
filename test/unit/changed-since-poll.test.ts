import { describe, expect, it } from 'vitest';
import { type ChangedSinceSource, pollChangedSince } from '../../src/hubs/changed-since-poll.ts';
import { ApiError } from '../../src/platform/errors.ts';

interface Item {
  id: string;
  updated?: number;
  created?: number;
}

/** A vendor holding `items`, whose clock reads `now`; it records the pages asked for. */
function vendor(items: Item[], now: number) {
  const asked: { fromMs: number; offset: number; limit: number }[] = [];
  const source: ChangedSinceSource<Item> = {
    overlapMs: 60_000,
    createdToleranceMs: 1_000,
    firstSince: async () => now,
    async page(fromMs, offset, limit) {
      asked.push({ fromMs, offset, limit });
      const matching = items.filter((i) => i.updated !== undefined && i.updated >= fromMs).sort((a, b) => a.updated! - b.updated! || a.id.localeCompare(b.id));
      return { items: matching.slice(offset, offset + limit), total: matching.length };
    },
    read: (item) => ({ id: item.id, updatedMs: item.updated, createdMs: item.created, version: String(item.updated) }),
  };
  return { source, asked };
}

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('pollChangedSince', () => {
  it('starts at the vendor’s clock on the first poll, without reading history', async () => {
    const { source, asked } = vendor([{ id: 'old', updated: T0 - 5_000, created: T0 - 5_000 }], T0);
    const first = await pollChangedSince({ incidents: source }, ['incidents'], null);
    expect(first).toEqual({ events: [], cursor: { incidents: { since: T0, start: T0 } } });
    expect(asked).toEqual([]);
  });

  it('reads from the overlap before the cursor, reports what changed since events began, and moves the cursor to the newest change', async () => {
    const items: Item[] = [
      // Inside the overlap but before events began: history, never reported.
      { id: 'before', updated: T0 - 30_000, created: T0 - 30_000 },
      { id: 'new', updated: T0 + 10_000, created: T0 + 9_500 },
      { id: 'changed', updated: T0 + 20_000, created: T0 - 86_400_000 },
      { id: 'no-time' },
    ];
    const { source, asked } = vendor(items, T0);
    const result = await pollChangedSince({ incidents: source }, ['incidents'], { incidents: { since: T0, start: T0 } });
    expect(asked[0]).toEqual({ fromMs: T0 - 60_000, offset: 0, limit: 100 });
    expect(result.events).toEqual([
      {
        eventType: 'CREATED',
        objectType: 'incidents',
        objectId: 'new',
        date: new Date(T0 + 10_000).toISOString(),
        version: String(T0 + 10_000),
        object: items[1],
      },
      {
        eventType: 'UPDATED',
        objectType: 'incidents',
        objectId: 'changed',
        date: new Date(T0 + 20_000).toISOString(),
        version: String(T0 + 20_000),
        object: items[2],
      },
    ]);
    expect(result.cursor).toEqual({ incidents: { since: T0 + 20_000, start: T0 } });
    // Nothing changed since: the same cursor, and the overlap's changes again (the dedupe ledger drops them).
    const again = await pollChangedSince({ incidents: source }, ['incidents'], result.cursor);
    expect(again.cursor).toEqual(result.cursor);
    expect(again.events.map((e) => e.objectId)).toEqual(['new', 'changed']);
  });

  it('pages through every change, at most 5,000 a poll, and the next poll goes on from the newest', async () => {
    const items = Array.from({ length: 7_250 }, (_, n) => ({ id: `i${n}`, updated: T0 + 1_000 * (n + 1), created: T0 }));
    const { source, asked } = vendor(items, T0);
    const seen = new Set<string>();
    let cursor: unknown = { incidents: { since: T0, start: T0 } };
    const sizes: number[] = [];
    for (let poll = 0; poll < 3; poll++) {
      const result = await pollChangedSince({ incidents: source }, ['incidents'], cursor);
      sizes.push(result.events.length);
      for (const e of result.events) seen.add(e.objectId);
      cursor = result.cursor;
    }
    expect(sizes[0]).toBe(5_000);
    expect(seen.size).toBe(items.length);
    expect(cursor).toEqual({ incidents: { since: T0 + 7_250_000, start: T0 } });
    expect(asked.every((a) => a.limit === 100)).toBe(true);
  });

  it('refuses an object type it has no source for, naming those it has', async () => {
    const { source } = vendor([], T0);
    const refused = pollChangedSince({ incidents: source }, ['incidents', 'contacts'], null);
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Polling supports incidents, not contacts' });
    // Not a name from the prototype either.
    await expect(pollChangedSince({ incidents: source }, ['constructor'], null)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

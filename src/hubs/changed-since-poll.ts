import { ApiError } from '../platform/errors.ts';
import type { PollResult, VendorEvent } from './event-contract.ts';

/** Objects read per page of a poll. */
const PAGE = 100;
/** Bound per object and poll; the cursor advances and the next poll continues. */
const MAX_PER_POLL = 5_000;

/** How one kind of vendor object is polled by the time it last changed. */
export interface ChangedSinceSource<T> {
  /**
   * Where events begin at the first poll, in ms by the vendor's clock (never ours): changes up
   * to then are history and are not replayed.
   */
  firstSince(): Promise<number>;
  /** Objects changed at or after `fromMs`, oldest change first, `limit` of them from `offset`, and how many match in all. */
  page(fromMs: number, offset: number, limit: number): Promise<{ items: readonly T[]; total: number }>;
  /** What the poll reads of one object; times in ms, `undefined` where the vendor gave none. */
  read(item: T): { id: string; updatedMs: number | undefined; createdMs: number | undefined; version: string };
  /**
   * Looked back before the cursor at each poll: covers the vendor's time precision and changes
   * saved while the last poll read. What it reads again, the platform's dedupe ledger drops.
   */
  overlapMs: number;
  /** An object whose creation and last change are at most this far apart is reported `CREATED`. */
  createdToleranceMs: number;
}

/** Per object type, `since`: the newest change seen; `start`: when events began (nothing older is ever reported). */
type Cursor = Record<string, { since: number; start?: number }>;

/**
 * A poll by change time, for vendors whose API can list objects changed since a time: each
 * object type keeps as its cursor the newest change the vendor reported (its clock, so that a
 * skewed clock or another time zone hides nothing), reads from a little before it, pages through
 * everything (at most 5,000 objects a poll), and reports each object as `CREATED` or `UPDATED`.
 * The first poll only sets the cursor. An object type without a source is a 400.
 */
export async function pollChangedSince(
  // Each source reads only the items its own `page` gave (its methods take them bivariantly).
  sources: Readonly<Record<string, ChangedSinceSource<unknown>>>,
  objects: readonly string[],
  cursor: unknown,
): Promise<PollResult> {
  const next: Cursor = { ...((cursor as Cursor | null) ?? {}) };
  const events: VendorEvent[] = [];
  for (const objectType of objects) {
    const source = Object.hasOwn(sources, objectType) ? sources[objectType] : undefined;
    if (!source) throw new ApiError('BAD_REQUEST', `Polling supports ${Object.keys(sources).join(', ')}, not ${objectType}`);
    const since = next[objectType]?.since;
    if (since === undefined) {
      const first = await source.firstSince();
      next[objectType] = { since: first, start: first };
      continue;
    }
    const start = next[objectType]?.start ?? 0;
    let newest = since;
    for (let offset = 0; offset < MAX_PER_POLL; ) {
      const page = await source.page(since - source.overlapMs, offset, PAGE);
      for (const item of page.items) {
        const { id, updatedMs, createdMs, version } = source.read(item);
        if (updatedMs === undefined || updatedMs < start) continue;
        newest = Math.max(newest, updatedMs);
        events.push({
          eventType: createdMs !== undefined && Math.abs(updatedMs - createdMs) <= source.createdToleranceMs ? 'CREATED' : 'UPDATED',
          objectType,
          objectId: id,
          date: new Date(updatedMs).toISOString(),
          version,
          object: item,
        });
      }
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
    next[objectType] = { since: newest, start };
  }
  return { events, cursor: next };
}

import type { Logger } from 'pino';
import type { Signals } from './signals.ts';

/** What changed, as every process's caches need to hear it. */
export type Invalidation =
  | { kind: 'instance'; id: number }
  | { kind: 'users' }
  | { kind: 'transformations' }
  | { kind: 'vendor-data'; instanceId: number; key: string }
  /** An instance's cached hub answers of one resource (a write or an event changed it). */
  | { kind: 'hub-responses'; instanceId: number; resource: string };

/** `everything`: signals may have been lost (a reconnect); caches drop all they hold. */
export type InvalidationListener = (change: Invalidation | 'everything') => void;

const CHANNEL = 'switchboard_invalidate';

/**
 * Cache invalidation across the processes sharing the store. A change is applied in this
 * process at once and sent as a signal to the others (PostgreSQL LISTEN/NOTIFY), so a deleted or
 * disabled instance, a changed transformation or a new vendor field takes effect on every node
 * within the signal's delivery time instead of after a cache's TTL. The TTLs stay, as the bound
 * when a signal is lost.
 */
export class Invalidations {
  readonly #signals: Signals;
  readonly #logger: Logger;
  readonly #listeners: InvalidationListener[] = [];
  #following = false;

  constructor(signals: Signals, logger: Logger) {
    this.#signals = signals;
    this.#logger = logger;
  }

  on(listener: InvalidationListener): void {
    this.#listeners.push(listener);
  }

  /** Starts hearing other processes' changes; a process that serves or works calls this once. */
  follow(): void {
    if (this.#following) return;
    this.#following = true;
    this.#signals.subscribe(
      CHANNEL,
      (message) => {
        const change = parse(message);
        if (change) this.#apply(change);
      },
      () => this.#apply('everything'),
    );
  }

  async announce(change: Invalidation): Promise<void> {
    this.#apply(change);
    // Our own signal comes back too; dropping a cache entry twice is harmless.
    await this.#signals.publish(CHANNEL, JSON.stringify(change)).catch((err: Error) => {
      this.#logger.warn({ err: err.message, change }, 'could not tell other processes about a change; their caches expire within their TTL');
    });
  }

  #apply(change: Invalidation | 'everything'): void {
    for (const l of this.#listeners) l(change);
  }
}

function parse(message: string): Invalidation | undefined {
  try {
    const c = JSON.parse(message) as Partial<Invalidation>;
    switch (c.kind) {
      case 'instance':
        return typeof c.id === 'number' ? { kind: 'instance', id: c.id } : undefined;
      case 'users':
        return { kind: 'users' };
      case 'transformations':
        return { kind: 'transformations' };
      case 'vendor-data':
        return typeof c.instanceId === 'number' && typeof c.key === 'string' ? { kind: 'vendor-data', instanceId: c.instanceId, key: c.key } : undefined;
      case 'hub-responses':
        return typeof c.instanceId === 'number' && typeof c.resource === 'string'
          ? { kind: 'hub-responses', instanceId: c.instanceId, resource: c.resource }
          : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

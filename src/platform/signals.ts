/**
 * Signals: small messages that tell every process sharing the database that something changed
 * ("a job is waiting", "instance 7 changed"). They are hints, not data: a listener must be
 * correct when a signal is lost, because every adapter may drop some (a reconnect, a crash).
 * After a gap, `onResync` asks listeners to assume they missed anything.
 *
 * Two adapters: `LocalSignals` (one process: SQLite) and `PostgresSignals`
 * (`src/store/postgres-signals.ts`, LISTEN/NOTIFY across every process).
 */
export type SignalListener = (message: string) => void;

export interface Signals {
  /** Delivers `message` to every subscriber of `channel`, in this process and, where the adapter can, in others. */
  publish(channel: string, message: string): Promise<void>;
  /** Returns the unsubscribe function. `onResync` runs after signals may have been lost. */
  subscribe(channel: string, listener: SignalListener, onResync?: () => void): () => void;
  close(): Promise<void>;
}

/** Channel names: lower-case identifiers, because PostgreSQL's LISTEN takes one unquoted. */
export const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

interface Subscription {
  listener: SignalListener;
  onResync: (() => void) | undefined;
}

/** Subscribers by channel, shared by both adapters. */
export class SignalSubscribers {
  readonly #byChannel = new Map<string, Set<Subscription>>();

  add(channel: string, listener: SignalListener, onResync?: () => void): () => void {
    if (!CHANNEL.test(channel)) throw new Error(`signal channel "${channel}" is not a lower-case identifier`);
    const set = this.#byChannel.get(channel) ?? new Set<Subscription>();
    this.#byChannel.set(channel, set);
    const sub: Subscription = { listener, onResync };
    set.add(sub);
    return () => {
      set.delete(sub);
      if (set.size === 0) this.#byChannel.delete(channel);
    };
  }

  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  has(channel: string): boolean {
    return this.#byChannel.has(channel);
  }

  deliver(channel: string, message: string): void {
    for (const sub of this.#byChannel.get(channel) ?? []) sub.listener(message);
  }

  resync(): void {
    for (const set of this.#byChannel.values()) for (const sub of set) sub.onResync?.();
  }
}

/** One process: delivery is a function call on the next turn of the event loop. */
export class LocalSignals implements Signals {
  readonly #subscribers = new SignalSubscribers();

  async publish(channel: string, message: string): Promise<void> {
    setImmediate(() => this.#subscribers.deliver(channel, message));
  }

  subscribe(channel: string, listener: SignalListener, onResync?: () => void): () => void {
    return this.#subscribers.add(channel, listener, onResync);
  }

  async close(): Promise<void> {}
}

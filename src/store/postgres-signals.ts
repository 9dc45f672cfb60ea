import pg from 'pg';
import { withinSilence } from './silent-connections.ts';
import { CHANNEL, SignalSubscribers, type SignalListener, type Signals } from '../platform/signals.ts';

export interface PostgresSignalsOptions {
  connectionString: string;
  /** Connection trouble; the adapter reconnects by itself. */
  onError: (err: Error) => void;
  /** First wait before a reconnect; doubles up to 30 s. */
  reconnectDelayMs?: number;
  /** How long a connect may take before it is given up and tried again later. */
  connectTimeoutMs: number;
  /**
   * How long the connection may stay silent during a query; it is also how often an idle
   * connection is asked `SELECT 1`, so that a database gone without a reset is noticed.
   */
  silenceMs: number;
}

/** PostgreSQL's NOTIFY payloads stop at 8000 bytes; signals are short hints. */
const MAX_PAYLOAD = 7_900;

/**
 * Signals over PostgreSQL LISTEN/NOTIFY: one dedicated connection per process listens on every
 * subscribed channel; `publish` is `pg_notify`, which PostgreSQL delivers to every listening
 * connection, this process's own included. When the connection drops, the adapter reconnects,
 * listens again and asks subscribers to resync, since notifications sent in between are lost.
 */
export class PostgresSignals implements Signals {
  readonly #options: PostgresSignalsOptions;
  readonly #subscribers = new SignalSubscribers();
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #listening = new Set<string>();
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #delayMs: number;
  #closed = false;
  /** The connection's queries, one after another: a pg client runs one query at a time. */
  #queries: Promise<unknown> = Promise.resolve();

  constructor(options: PostgresSignalsOptions) {
    this.#options = options;
    this.#delayMs = options.reconnectDelayMs ?? 500;
  }

  async publish(channel: string, message: string): Promise<void> {
    if (!CHANNEL.test(channel)) throw new Error(`signal channel "${channel}" is not a lower-case identifier`);
    if (Buffer.byteLength(message) > MAX_PAYLOAD) throw new Error(`signal on ${channel} is longer than ${MAX_PAYLOAD} bytes`);
    const client = await this.#connect();
    await this.#query(client, 'SELECT pg_notify($1, $2)', [channel, message]);
  }

  /** Runs a query after the ones already sent on this connection, not beside them. */
  #query(client: pg.Client, text: string, values?: unknown[]): Promise<unknown> {
    const run = this.#queries.then(() => withinSilence(client, this.#options.silenceMs, () => client.query(text, values)));
    this.#queries = run.catch(() => undefined);
    return run;
  }

  subscribe(channel: string, listener: SignalListener, onResync?: () => void): () => void {
    const unsubscribe = this.#subscribers.add(channel, listener, onResync);
    // A failed connect is reported and retried by #connect itself, once for all its callers; a
    // connection that cannot LISTEN is lost like any other.
    this.#connect().then(
      (client) => this.#listen(client, channel).catch((err: Error) => this.#lost(client, err)),
      () => undefined,
    );
    return () => {
      unsubscribe();
      if (this.#subscribers.has(channel) || !this.#client || !this.#listening.has(channel)) return;
      this.#listening.delete(channel);
      this.#query(this.#client, `UNLISTEN ${channel}`).catch((err: Error) => {
        if (!this.#closed) this.#options.onError(err);
      });
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #listen(client: pg.Client, channel: string): Promise<void> {
    if (this.#listening.has(channel) || !this.#subscribers.has(channel)) return;
    this.#listening.add(channel);
    // The channel is checked against CHANNEL, so it is a plain identifier.
    await this.#query(client, `LISTEN ${channel}`);
  }

  /**
   * The listening connection, opened if there is none. A failed attempt is reported once, however
   * many callers share it, and retried later.
   */
  #connect(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(new Error('signals are closed'));
    if (this.#client) return Promise.resolve(this.#client);
    if (this.#connecting) return this.#connecting;
    const attempt = this.#open();
    this.#connecting = attempt;
    attempt.then(
      () => {
        this.#connecting = undefined;
      },
      (err: Error) => {
        this.#connecting = undefined;
        if (this.#closed) return;
        // node-postgres says only "timeout expired" when a connect takes too long.
        this.#options.onError(new Error(`could not connect: ${err.message}`, { cause: err }));
        // The retry waits the present delay; the one after it, twice as long.
        this.#reconnect();
        this.#delayMs = Math.min(this.#delayMs * 2, 30_000);
      },
    );
    return attempt;
  }

  async #open(): Promise<pg.Client> {
    // The name tells an operator which connection in pg_stat_activity is the listening one.
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: 'switchboard signals',
      keepAlive: true,
      connectionTimeoutMillis: this.#options.connectTimeoutMs,
    });
    client.on('notification', (n) => {
      if (n.payload !== undefined) this.#subscribers.deliver(n.channel, n.payload);
    });
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, new Error('signal connection ended')));
    try {
      await client.connect();
      this.#listening = new Set();
      for (const channel of this.#subscribers.channels()) await this.#listen(client, channel);
      // Closed meanwhile: nobody would end this connection or stop its heartbeat.
      if (this.#closed) throw new Error('signals are closed');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#client = client;
    this.#delayMs = this.#options.reconnectDelayMs ?? 500;
    // A listening connection only receives: without a question now and then, a database gone
    // without a reset would leave it waiting, and this process deaf to every signal, for hours.
    this.#heartbeat = setInterval(() => {
      this.#query(client, 'SELECT 1').catch((err: Error) => this.#lost(client, err));
    }, this.#options.silenceMs).unref();
    return client;
  }

  #lost(client: pg.Client, err: Error): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    clearInterval(this.#heartbeat);
    this.#options.onError(err);
    void client.end().catch(() => undefined);
    this.#reconnect();
  }

  #reconnect(): void {
    if (this.#closed || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      // A failure is reported and retried by #connect.
      this.#connect().then(
        () => this.#subscribers.resync(),
        () => undefined,
      );
    }, this.#delayMs);
    this.#retryTimer.unref();
  }
}

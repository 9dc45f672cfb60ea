import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.ts';
import type { Clock } from '../platform/clock.ts';
import type { ConsoleLoginConfig } from '../platform/config.ts';
import { ApiError } from '../platform/errors.ts';

/**
 * Failed password checks per e-mail, in the store so every process sees them. After
 * `slowDownAfter` consecutive failures each attempt is delayed (doubling, at most 5 s); after
 * `lockoutAfter` the e-mail is refused for `lockoutMinutes` (429 with `Retry-After`), whatever
 * password is sent. A success resets the count.
 */
export class LoginThrottle {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #config: ConsoleLoginConfig;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(db: Kysely<Database>, clock: Clock, config: ConsoleLoginConfig, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
    this.#db = db;
    this.#clock = clock;
    this.#config = config;
    this.#sleep = sleep;
  }

  /** Throws 429 while locked; otherwise waits the slow-down delay earned by earlier failures. */
  async beforeAttempt(email: string): Promise<void> {
    const row = await this.#db.selectFrom('login_attempts').selectAll().where('email', '=', email).executeTakeFirst();
    if (!row) return;
    const now = this.#clock.now().getTime();
    if (row.locked_until !== null) {
      const until = Date.parse(row.locked_until);
      if (until > now) {
        const seconds = Math.ceil((until - now) / 1000);
        throw new ApiError('TOO_MANY_ATTEMPTS', `Too many failed sign-in attempts for this e-mail; try again in ${seconds} seconds`, {
          headers: { 'Retry-After': String(seconds) },
        });
      }
    }
    const excess = row.failures - this.#config.slowDownAfter;
    if (excess >= 0) await this.#sleep(Math.min(5000, 250 * 2 ** Math.min(excess, 5)));
  }

  async failed(email: string): Promise<void> {
    const now = this.#clock.now();
    const row = await this.#db.selectFrom('login_attempts').selectAll().where('email', '=', email).executeTakeFirst();
    // A lockout that has run out starts a fresh count.
    const expired = row?.locked_until != null && Date.parse(row.locked_until) <= now.getTime();
    const failures = (expired ? 0 : (row?.failures ?? 0)) + 1;
    const lockedUntil = failures >= this.#config.lockoutAfter ? new Date(now.getTime() + this.#config.lockoutMinutes * 60_000).toISOString() : null;
    await this.#db
      .insertInto('login_attempts')
      .values({ email, failures, last_failure_at: now.toISOString(), locked_until: lockedUntil })
      .onConflict((oc) => oc.column('email').doUpdateSet({ failures, last_failure_at: now.toISOString(), locked_until: lockedUntil }))
      .execute();
  }

  async succeeded(email: string): Promise<void> {
    await this.#db.deleteFrom('login_attempts').where('email', '=', email).execute();
  }
}

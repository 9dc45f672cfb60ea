import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/tables.ts';
import type { Clock } from '../platform/clock.ts';
import type { ConsoleLoginConfig } from '../platform/config.ts';
import { ApiError } from '../platform/errors.ts';

/**
 * Password checks per e-mail, in the store so every process sees them. Each attempt is counted
 * in one atomic statement *before* its password is checked, so parallel attempts cannot slip
 * past the limit between a read and a write. After `slowDownAfter` counted attempts each further
 * one is delayed (doubling, at most 5 s); the `lockoutAfter`-th failure, or any attempt beyond
 * it, refuses the e-mail for `lockoutMinutes` (429 with `Retry-After`), whatever password is
 * sent. A success resets the count.
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

  /**
   * Counts an attempt; throws 429 while locked (or when the attempt is beyond the limit),
   * otherwise waits the slow-down delay earned by earlier attempts. Returns the attempt's number.
   */
  async beforeAttempt(email: string): Promise<number> {
    const now = this.#clock.now();
    const nowIso = now.toISOString();
    // Every SET expression reads the row as it was: a running lockout stays as it is, one that
    // has run out starts a fresh count.
    const row = await this.#db
      .insertInto('login_attempts')
      .values({ email, failures: 1, last_failure_at: nowIso, locked_until: null })
      .onConflict((oc) =>
        oc.column('email').doUpdateSet({
          failures: sql<number>`CASE WHEN login_attempts.locked_until IS NULL THEN login_attempts.failures + 1 WHEN login_attempts.locked_until > ${nowIso} THEN login_attempts.failures ELSE 1 END`,
          locked_until: sql<string | null>`CASE WHEN login_attempts.locked_until > ${nowIso} THEN login_attempts.locked_until ELSE NULL END`,
          last_failure_at: nowIso,
        }),
      )
      .returning(['failures', 'locked_until'])
      .executeTakeFirstOrThrow();
    if (row.locked_until !== null) throw this.#refusal(row.locked_until, now);
    if (row.failures > this.#config.lockoutAfter) throw this.#refusal(await this.#lock(email, now), now);
    const excess = row.failures - 1 - this.#config.slowDownAfter;
    if (excess >= 0) await this.#sleep(Math.min(5000, 250 * 2 ** Math.min(excess, 5)));
    return row.failures;
  }

  /** The attempt numbered `attempt` failed (it is counted already); the limit's attempt locks. */
  async failed(email: string, attempt: number): Promise<void> {
    if (attempt >= this.#config.lockoutAfter) await this.#lock(email, this.#clock.now());
  }

  async succeeded(email: string): Promise<void> {
    await this.#db.deleteFrom('login_attempts').where('email', '=', email).execute();
  }

  /** Starts the lockout unless a parallel attempt did; returns when it ends. */
  async #lock(email: string, now: Date): Promise<string> {
    const until = new Date(now.getTime() + this.#config.lockoutMinutes * 60_000).toISOString();
    await this.#db.updateTable('login_attempts').set({ locked_until: until }).where('email', '=', email).where('locked_until', 'is', null).execute();
    const row = await this.#db.selectFrom('login_attempts').select('locked_until').where('email', '=', email).executeTakeFirst();
    return row?.locked_until ?? until;
  }

  #refusal(lockedUntil: string, now: Date): ApiError {
    const seconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - now.getTime()) / 1000));
    return new ApiError('TOO_MANY_ATTEMPTS', `Too many failed sign-in attempts for this e-mail; try again in ${seconds} seconds`, {
      headers: { 'Retry-After': String(seconds) },
    });
  }
}

import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../store/tables.ts';
import type { Clock } from '../platform/clock.ts';
import { newBase64Secret } from '../platform/crypto.ts';
import type { SecretBox } from '../platform/secret-box.ts';

const PURPOSE = 'console-session';

/** Console sessions: the cookie value is random; the store keeps only its keyed hash. */
export class ConsoleSessions {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(db: Kysely<Database>, box: SecretBox, clock: Clock, ttlMinutes: number) {
    this.#db = db;
    this.#box = box;
    this.#clock = clock;
    this.#ttlMs = ttlMinutes * 60_000;
  }

  get ttlSeconds(): number {
    return this.#ttlMs / 1000;
  }

  async create(userId: number): Promise<string> {
    const id = newBase64Secret();
    const now = this.#clock.now();
    // Expired sessions are removed here rather than by a timer, so no process holds a schedule.
    await this.#db.deleteFrom('console_sessions').where('expires_at', '<', now.toISOString()).execute();
    await this.#db
      .insertInto('console_sessions')
      .values({
        id_hash: this.#box.lookupHash(PURPOSE, id),
        user_id: userId,
        expires_at: new Date(now.getTime() + this.#ttlMs).toISOString(),
        created_at: now.toISOString(),
      })
      .execute();
    return id;
  }

  async find(id: string): Promise<UserRow | undefined> {
    return this.#db
      .selectFrom('console_sessions')
      .innerJoin('users', 'users.id', 'console_sessions.user_id')
      .selectAll('users')
      .where('console_sessions.id_hash', '=', this.#box.lookupHash(PURPOSE, id))
      .where('console_sessions.expires_at', '>', this.#clock.now().toISOString())
      .where('users.active', '=', 1)
      .executeTakeFirst();
  }

  async destroy(id: string): Promise<void> {
    await this.#db.deleteFrom('console_sessions').where('id_hash', '=', this.#box.lookupHash(PURPOSE, id)).execute();
  }
}

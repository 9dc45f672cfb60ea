import { hashPassword, verifyPassword } from '../platform/crypto.ts';
import type { TenancyRepository } from '../tenancy/tenancy-repository.ts';
import type { UserRow } from '../store/tables.ts';
import type { LoginThrottle } from './login-throttle.ts';

/**
 * Checks an e-mail and password, throttled per e-mail. Unknown e-mails cost the same scrypt work
 * as known ones, so response times do not reveal which e-mails exist.
 */
export class PasswordCheck {
  readonly #repo: TenancyRepository;
  readonly #throttle: LoginThrottle;
  #dummyHash: Promise<string> | undefined;

  constructor(repo: TenancyRepository, throttle: LoginThrottle) {
    this.#repo = repo;
    this.#throttle = throttle;
  }

  /** The user when the password is right; `undefined` otherwise (throws 429 while locked out). */
  async verify(email: string, password: string): Promise<UserRow | undefined> {
    const key = email.trim().toLowerCase();
    const attempt = await this.#throttle.beforeAttempt(key);
    const user = await this.#repo.findUserByEmail(key);
    this.#dummyHash ??= hashPassword('not-a-password');
    const ok = await verifyPassword(password, user?.password_hash ?? (await this.#dummyHash));
    if (!user || !ok || user.password_hash === null || user.active !== 1) {
      await this.#throttle.failed(key, attempt);
      return undefined;
    }
    await this.#throttle.succeeded(key);
    return user;
  }
}

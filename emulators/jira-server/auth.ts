import { randomBytes } from 'node:crypto';
import type { User } from './state/model.ts';
import type { JiraState } from './state/state.ts';
import type { EmulatorConfig } from './config.ts';
import { hashToken } from './state/seed.ts';
import { seraphHtml } from './replies.ts';

export type AuthResult =
  | { kind: 'user'; user: User; via: 'basic' | 'bearer' | 'cookie' }
  | { kind: 'anonymous' }
  | { kind: 'failure'; status: number; headers: Record<string, string>; body: string; contentType: string };

const NOT_AUTHENTICATED = JSON.stringify({ errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });

/**
 * Cookie sessions of `/rest/auth/1/session` and of successful logins (`JSESSIONID`). Like Jira,
 * every basic-auth call opens one; unlike Jira, whose sessions expire after hours, the store is
 * bounded by count, so a load test cannot grow it without end. Two generations of at most
 * `max / 2` each: when the newer one is full, the older one is dropped whole. (Deleting a Map's
 * oldest entry one at a time would leave holes that every later `keys().next()` walks over.)
 */
export class Sessions {
  #current = new Map<string, string>();
  #previous = new Map<string, string>();
  constructor(private readonly max = 100_000) {}
  create(user: User): string {
    const id = randomBytes(16).toString('hex').toUpperCase();
    if (this.#current.size >= this.max / 2) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(id, user.key);
    return id;
  }
  userKey(id: string): string | undefined {
    return this.#current.get(id) ?? this.#previous.get(id);
  }
  delete(id: string): void {
    this.#current.delete(id);
    this.#previous.delete(id);
  }
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }
}

/**
 * Jira's authentication outcomes (jira-server.md §3.2): basic auth with the failed-login counter
 * and the CAPTCHA state (in which even the right password is refused), Bearer personal access
 * tokens, cookie sessions, and basic auth switched off (11.x default).
 */
export function authenticate(
  state: JiraState,
  config: EmulatorConfig,
  sessions: Sessions,
  header: string | undefined,
  cookie: string | undefined,
  baseUrl: string,
  now: number,
): AuthResult {
  if (header !== undefined) {
    const [scheme, ...rest] = header.trim().split(/\s+/);
    const credential = rest.join(' ');
    if (scheme?.toLowerCase() === 'basic') return basic(state, config, credential, baseUrl);
    if (scheme?.toLowerCase() === 'bearer') return bearer(state, config, credential, now);
    return failure401(NOT_AUTHENTICATED, 'application/json;charset=UTF-8', {});
  }
  const sessionId = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(cookie ?? '')?.[1];
  if (sessionId) {
    const key = sessions.userKey(sessionId);
    const user = key ? state.userByKey(key) : undefined;
    if (user?.active) return { kind: 'user', user, via: 'cookie' };
  }
  return { kind: 'anonymous' };
}

function failure401(body: string, contentType: string, headers: Record<string, string>): AuthResult {
  return { kind: 'failure', status: 401, headers: { 'X-AUSERNAME': 'anonymous', ...headers }, body, contentType };
}

function basic(state: JiraState, config: EmulatorConfig, credential: string, baseUrl: string): AuthResult {
  if (!config.basicAuthEnabled) {
    return {
      kind: 'failure',
      status: 403,
      headers: { 'X-AUSERNAME': 'anonymous' },
      contentType: 'application/json;charset=UTF-8',
      body: JSON.stringify({ errorMessages: ['Basic Authentication has been disabled on this instance.'], errors: {} }),
    };
  }
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const name = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  const user = state.userByName(name);
  const failedHeaders = { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED', 'WWW-Authenticate': `OAuth realm="${baseUrl.replace(/"/g, '')}"` };
  if (!user?.active) return failure401(seraphHtml('AUTHENTICATED_FAILED'), 'text/html;charset=UTF-8', failedHeaders);
  if (user.captcha) {
    // In the CAPTCHA state the password is not even checked.
    return {
      kind: 'failure',
      status: 403,
      contentType: 'text/html;charset=UTF-8',
      body: seraphHtml('AUTHENTICATION_DENIED'),
      headers: {
        'X-AUSERNAME': 'anonymous',
        'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED',
        'X-Authentication-Denied-Reason': `CAPTCHA_CHALLENGE; login-url=${baseUrl}/login.jsp`,
      },
    };
  }
  if (user.password !== password) {
    user.failedLogins++;
    if (config.lockoutThreshold > 0 && user.failedLogins >= config.lockoutThreshold) user.captcha = true;
    return failure401(seraphHtml('AUTHENTICATED_FAILED'), 'text/html;charset=UTF-8', failedHeaders);
  }
  user.failedLogins = 0;
  return { kind: 'user', user, via: 'basic' };
}

function bearer(state: JiraState, config: EmulatorConfig, token: string, now: number): AuthResult {
  if (config.profile.personalAccessTokens) {
    const hash = hashToken(token);
    for (const user of state.users.values()) {
      const pat = user.tokens.find((t) => t.tokenHash === hash);
      if (pat && user.active && (pat.expiringAt === null || pat.expiringAt > now)) return { kind: 'user', user, via: 'bearer' };
    }
  }
  return failure401(NOT_AUTHENTICATED, 'application/json;charset=UTF-8', {});
}

export const notAuthenticatedBody = NOT_AUTHENTICATED;

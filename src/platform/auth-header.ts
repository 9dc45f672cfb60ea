import { ApiError } from './errors.ts';

/** The credentials one `Authorization` header carries (`User …, Organization …, Element …`). */
export interface AuthorizationParts {
  user?: string;
  organization?: string;
  element?: string;
}

// A Map, not an object literal: a header naming "__proto__" or "constructor" must find nothing.
const KINDS: ReadonlyMap<string, keyof AuthorizationParts> = new Map([
  ['user', 'user'],
  ['organization', 'organization'],
  ['element', 'element'],
]);

/** Secrets are base64 (`+/=`) or hex; anything else cannot be one of ours. */
const SECRET = /^[A-Za-z0-9+/=_-]{1,512}$/;

/**
 * Parses the Open Connectors `Authorization` header: comma-separated `<Kind> <secret>` parts in
 * any order, with optional whitespace around each part. Keywords match case-insensitively; a
 * repeated or unknown kind, an empty part or a secret with spaces is rejected (401), because a
 * lenient parser would let a malformed header authenticate as something the caller did not mean.
 * An absent header yields no parts; whether that is acceptable is the route's decision.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParts {
  if (header === undefined) return {};
  if (header.length > 2048) throw new ApiError('MALFORMED_AUTHORIZATION', 'The Authorization header is too long');
  const parts: AuthorizationParts = {};
  for (const raw of header.split(',')) {
    const part = raw.trim();
    const match = /^(\S+)\s+(\S+)$/.exec(part);
    if (!match) {
      throw new ApiError(
        'MALFORMED_AUTHORIZATION',
        `The Authorization header part "${describe(part)}" is not of the form "<User|Organization|Element> <secret>"`,
      );
    }
    const kind = KINDS.get(match[1]!.toLowerCase());
    if (kind === undefined) {
      throw new ApiError('MALFORMED_AUTHORIZATION', `Unknown Authorization kind "${describe(match[1]!)}"; expected User, Organization or Element`);
    }
    if (parts[kind] !== undefined) {
      throw new ApiError('MALFORMED_AUTHORIZATION', `The Authorization header repeats "${match[1]}"`);
    }
    const secret = match[2]!;
    if (!SECRET.test(secret)) {
      throw new ApiError('MALFORMED_AUTHORIZATION', `The ${match[1]} secret contains characters no secret has`);
    }
    parts[kind] = secret;
  }
  return parts;
}

/** Shows the shape of a bad part without echoing a secret back. */
function describe(part: string): string {
  const kind = part.split(/\s+/)[0] ?? '';
  return part.length > kind.length ? `${kind.slice(0, 20)} …` : kind.slice(0, 20);
}

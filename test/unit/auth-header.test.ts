import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAuthorization } from '../../src/platform/auth-header.ts';
import { ApiError } from '../../src/platform/errors.ts';

const u = '7OpR4MRo7wnPoVKkKFXHhHBUPRzqutoem/d+WEnR1kY=';
const o = 'ce7f1f9be0d2a8b1f37bcfa6d71eda20';
const e = 'fJ5HQ135fW4okMt5AWq0hzm2X7kaK5OpQB0Uxjvlz6U=';

describe('parseAuthorization', () => {
  it('reads the three kinds in any order and case', () => {
    expect(parseAuthorization(`User ${u}, Organization ${o}, Element ${e}`)).toEqual({ user: u, organization: o, element: e });
    expect(parseAuthorization(`Element ${e}, User ${u}`)).toEqual({ user: u, element: e });
    expect(parseAuthorization(`ORGANIZATION ${o},user ${u}`)).toEqual({ user: u, organization: o });
    expect(parseAuthorization(undefined)).toEqual({});
  });

  it.each([
    ['', 'empty'],
    ['User', 'kind only'],
    [`User ${u},`, 'trailing comma'],
    [`User  ${u} x`, 'three words'],
    [`Token ${u}`, 'unknown kind'],
    [`User ${u}, user ${u}`, 'repeat'],
    [`User a"b`, 'bad characters'],
    ['x'.repeat(3000), 'too long'],
  ])('rejects %s (%s) with 401', (header) => {
    try {
      parseAuthorization(header);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(401);
    }
  });

  it('round-trips any permutation and spacing of valid parts', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9+/=]{1,60}$/);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['User', 'Organization', 'Element'], { minLength: 1 }),
        fc.array(secret, { minLength: 3, maxLength: 3 }),
        fc.constantFrom('', ' ', '   '),
        (kinds, secrets, pad) => {
          const header = kinds.map((k, i) => `${pad}${k} ${secrets[i]}${pad}`).join(',');
          const parsed = parseAuthorization(header);
          for (const [i, k] of kinds.entries()) expect(parsed[k.toLowerCase() as 'user']).toBe(secrets[i]);
        },
      ),
    );
  });

  it('never echoes a secret in its error message', () => {
    try {
      parseAuthorization(`User ${u} ${u}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(u);
    }
  });
});

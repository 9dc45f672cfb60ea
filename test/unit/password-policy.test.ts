import { describe, expect, it } from 'vitest';
import { checkPassword, DEFAULT_PASSWORD_POLICY, policyOf, storedPolicy } from '../../src/tenancy/password-policy.ts';

const refusal = (policy: Parameters<typeof checkPassword>[0], password: string) => {
  try {
    checkPassword(policy, password);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('password rules', () => {
  it('count characters, not UTF-16 units, and letters of every script', () => {
    const policy = policyOf({ minLength: 8, minUppercase: 2, minLowercase: 1, minNumbers: 1 });
    expect(refusal(policy, 'ÉÅlower1')).toBeUndefined();
    expect(refusal(policy, 'Élower12')).toBe('A password must contain at least 2 uppercase letters');
    // Seven characters, fourteen UTF-16 units.
    expect(refusal(DEFAULT_PASSWORD_POLICY, '😀😀😀😀😀😀😀')).toBe('A password must be at least 8 characters long');
    expect(refusal(policy, 'ÉÅÖÄÜ٣٤٥')).toBe('A password must contain at least 1 lowercase letter');
    // Arabic-Indic digits are digits.
    expect(refusal(policy, 'ÉÅl٣xxxx')).toBeUndefined();
  });

  it('count only the policy own symbols, and name them', () => {
    const policy = policyOf({ minSymbols: 2, symbolCharacterSet: '#%' });
    expect(refusal(policy, 'abc#def%')).toBeUndefined();
    expect(refusal(policy, 'abc!def%')).toBe('A password must contain at least 2 special characters of #%');
  });

  it('stored, keep what was set and take defaults for members added since', () => {
    expect(storedPolicy(null)).toBe(DEFAULT_PASSWORD_POLICY);
    expect(storedPolicy('{"minLength":10}')).toEqual({ ...DEFAULT_PASSWORD_POLICY, minLength: 10 });
  });
});

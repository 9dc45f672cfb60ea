import { Type, type Static } from 'typebox';
import { badRequest } from '../platform/errors.ts';
import { PASSWORD_RULE_BOUNDS, SYMBOL_SET_MAX } from './password-rule-bounds.ts';

/** The symbols counted by default: ASCII punctuation. */
const ASCII_SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** The shortest password any policy allows: a policy can only tighten this. */
const PASSWORD_FLOOR = PASSWORD_RULE_BOUNDS.minLength.minimum;
/** The longest password accepted (`UserBody` in schemas.ts). */
export const PASSWORD_MAX = 200;
/**
 * `expirationDays` from this many days on means "never" (Open Connectors shows 100000 for an
 * organization that never set one). Passwords here do not expire, so only "never" is accepted.
 */
const NEVER_EXPIRES_DAYS = 36_500;
/** One-character classes: a password is tested character by character. */
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;

const count = (rule: Exclude<keyof typeof PASSWORD_RULE_BOUNDS, 'minLength'>, description: string) =>
  Type.Integer({ ...PASSWORD_RULE_BOUNDS[rule], description: `${description}; 0 by default` });

/**
 * An organization's password rules (`PUT /organizations/password-policies`), in Open Connectors'
 * shape. A member left out takes its value in `DEFAULT_PASSWORD_POLICY` (`policyOf`).
 * `previousPasswordCount` and `expirationDays` are accepted only at values that ask for nothing:
 * passwords have no history and do not expire here, and a rule that is not enforced is not taken.
 */
export const PasswordPolicyBody = Type.Object(
  {
    minLength: Type.Optional(Type.Integer({ ...PASSWORD_RULE_BOUNDS.minLength, description: `At least ${PASSWORD_FLOOR}, and ${PASSWORD_FLOOR} by default` })),
    minUppercase: Type.Optional(count('minUppercase', 'Upper-case letters required')),
    minLowercase: Type.Optional(count('minLowercase', 'Lower-case letters required')),
    minNumbers: Type.Optional(count('minNumbers', 'Digits required')),
    minSymbols: Type.Optional(count('minSymbols', 'Characters of symbolCharacterSet required')),
    symbolCharacterSet: Type.Optional(
      Type.String({ minLength: 1, maxLength: SYMBOL_SET_MAX, description: 'The characters that count as symbols; ASCII punctuation by default' }),
    ),
    previousPasswordCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 0, description: 'Passwords keep no history: only 0' })),
    expirationDays: Type.Optional(Type.Integer({ minimum: 0, description: `Passwords do not expire: 0, or ${NEVER_EXPIRES_DAYS} and more (never)` })),
  },
  { additionalProperties: false, title: 'PasswordPolicyBody' },
);
export type PasswordPolicyBody = Static<typeof PasswordPolicyBody>;

export const PasswordPolicyJson = Type.Object(
  {
    minLength: Type.Integer(),
    minUppercase: Type.Integer(),
    minLowercase: Type.Integer(),
    minNumbers: Type.Integer(),
    minSymbols: Type.Integer(),
    symbolCharacterSet: Type.String(),
    previousPasswordCount: Type.Integer(),
    expirationDays: Type.Integer(),
  },
  { title: 'PasswordPolicy' },
);
export type PasswordPolicy = Static<typeof PasswordPolicyJson>;

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({
  minLength: PASSWORD_FLOOR,
  minUppercase: 0,
  minLowercase: 0,
  minNumbers: 0,
  minSymbols: 0,
  symbolCharacterSet: ASCII_SYMBOLS,
  previousPasswordCount: 0,
  expirationDays: 0,
});

/** A whole policy from a body: members left out take their defaults; rules no password could meet are refused. */
export function policyOf(body: PasswordPolicyBody): PasswordPolicy {
  const policy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...body };
  if (policy.expirationDays !== 0 && policy.expirationDays < NEVER_EXPIRES_DAYS)
    throw badRequest(`Passwords do not expire here: expirationDays must be 0, or ${NEVER_EXPIRES_DAYS} or more (never)`);
  const required = policy.minUppercase + policy.minLowercase + policy.minNumbers + policy.minSymbols;
  if (required > PASSWORD_MAX) throw badRequest(`The policy asks for ${required} characters of kinds; a password has at most ${PASSWORD_MAX}`);
  if (policy.minSymbols > 0 && [...policy.symbolCharacterSet].some((c) => LETTER_OR_DIGIT.test(c)))
    throw badRequest('symbolCharacterSet must hold no letters or digits: they would count twice');
  return policy;
}

/** A stored policy (JSON text), or the default for none. */
export function storedPolicy(text: string | null): PasswordPolicy {
  return text === null ? DEFAULT_PASSWORD_POLICY : { ...DEFAULT_PASSWORD_POLICY, ...(JSON.parse(text) as Partial<PasswordPolicy>) };
}

/** Refuses a password that breaks a rule of the policy (400), naming the first rule it breaks. */
export function checkPassword(policy: PasswordPolicy, password: string): void {
  const characters = [...password];
  if (characters.length < policy.minLength) throw badRequest(`A password must be at least ${policy.minLength} characters long`);
  // Character by character: one-character tests, nothing that could backtrack over the input.
  let upper = 0;
  let lower = 0;
  let digits = 0;
  let symbols = 0;
  for (const c of characters) {
    if (UPPER.test(c)) upper++;
    else if (LOWER.test(c)) lower++;
    else if (DIGIT.test(c)) digits++;
    else if (policy.symbolCharacterSet.includes(c)) symbols++;
  }
  const rules: [found: number, wanted: number, kind: string, of: string][] = [
    [upper, policy.minUppercase, 'uppercase letter', ''],
    [lower, policy.minLowercase, 'lowercase letter', ''],
    [digits, policy.minNumbers, 'numeric character', ''],
    [symbols, policy.minSymbols, 'special character', ` of ${policy.symbolCharacterSet}`],
  ];
  for (const [found, wanted, kind, of] of rules) {
    if (found < wanted) throw badRequest(`A password must contain at least ${wanted} ${kind}${wanted === 1 ? '' : 's'}${of}`);
  }
}

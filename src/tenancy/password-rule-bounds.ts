/**
 * The range of each password rule an organization may set: the API's schema
 * (`PasswordPolicyBody`) and the console's form both take them from here. Plain values with no
 * imports, so that the console's bundle can carry them.
 */
export const PASSWORD_RULE_BOUNDS = {
  /** The shortest password any policy allows is 8: a policy can only tighten it. */
  minLength: { minimum: 8, maximum: 128 },
  minUppercase: { minimum: 0, maximum: 64 },
  minLowercase: { minimum: 0, maximum: 64 },
  minNumbers: { minimum: 0, maximum: 64 },
  minSymbols: { minimum: 0, maximum: 64 },
} as const;

/** The longest set of characters that count as symbols. */
export const SYMBOL_SET_MAX = 100;

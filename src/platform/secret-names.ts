/** What a secret shows as in every answer. */
export const MASK = '********';

/** Names of headers, query parameters and members whose values are credentials. */
const SECRET_NAME = /authori[sz]ation|cookie|secret|token|passw(or)?d|api[-_]?key|session|signature|credential/i;

/**
 * Whether a header, query parameter or member of this name holds a credential: its value is
 * redacted in traces and usage records and masked in answers, whatever else the name says.
 */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

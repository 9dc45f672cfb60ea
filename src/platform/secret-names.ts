/** What a secret shows as in every answer. */
export const MASK = '********';
/** What a secret shows as in vendor traces, usage records and logs. */
export const REDACTED = '[redacted]';

/** Names of headers, query parameters and members whose values are credentials. */
const SECRET_NAME = /authori[sz]ation|cookie|secret|token|passw(or)?d|api[-_]?key|session|signature|credential/i;

/**
 * Whether a header, query parameter or member of this name holds a credential: its value is
 * redacted in traces and usage records and masked in answers, whatever else the name says.
 */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/**
 * A path with a query as it may be shown, stored or logged: the values of secret-named query parameters
 * replaced with `mask`. The path is kept as written; a query without secrets is kept untouched.
 */
export function maskSecretQuery(url: string, mask: string = MASK): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  // Most queries name no secret: they are not parsed (a name may be percent-escaped, so those are).
  if (!SECRET_NAME.test(url.slice(q)) && !url.includes('%', q) && !url.includes('+', q)) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let masked = false;
  for (const key of new Set(params.keys())) {
    if (isSecretName(key)) {
      params.set(key, mask);
      masked = true;
    }
  }
  return masked ? `${url.slice(0, q)}?${params.toString()}` : url;
}

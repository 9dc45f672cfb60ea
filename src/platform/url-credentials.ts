/** What user info in a URL is shown as. */
export const MASKED_USER_INFO = '********';

/**
 * A URL with its user info (`user:password@`) replaced by `********@`; any other value as it is.
 * Callback URLs and site addresses may carry credentials, and no answer, log line or list shows
 * them.
 */
export function maskUrlCredentials(value: string): string {
  // Cheap checks first: most values are no URL with user info.
  if (!value.includes('@') || !value.includes('://') || !URL.canParse(value)) return value;
  const url = new URL(value);
  if (url.username === '' && url.password === '') return value;
  url.username = MASKED_USER_INFO;
  url.password = '';
  return url.toString();
}

/** Whether a value is a URL that carries user info. */
export function hasUrlCredentials(value: string): boolean {
  return maskUrlCredentials(value) !== value;
}

/**
 * A URL with user info as the request it stands for: the URL without it, and the user info as a
 * Basic `Authorization` header (what a browser or curl does with `https://user:password@host/`).
 */
export function withoutUrlCredentials(value: string): { url: string; authorization: string | undefined } {
  if (!hasUrlCredentials(value)) return { url: value, authorization: undefined };
  const url = new URL(value);
  const userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(userInfo).toString('base64')}` };
}

/** One argument for a POSIX shell: single-quoted, so nothing in it ($, `, !, spaces) is expanded. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

export interface CurlParts {
  method: string;
  url: string;
  /** Header name → value, in the order they are written. */
  headers: [string, string][];
  body?: string | undefined;
}

/** A cURL command line for one API call, every argument quoted. */
export function curlCommand({ method, url, headers, body }: CurlParts): string {
  const args = ['curl'];
  if (method !== 'GET') args.push('-X', method);
  for (const [name, value] of headers) args.push('-H', shellQuote(`${name}: ${value}`));
  if (body !== undefined) args.push('--data', shellQuote(body));
  args.push(shellQuote(url));
  return args.join(' ');
}

/** The Authorization header of a hub call; `mask` shows it without its secrets. */
export function hubAuthorization(secrets: { user: string; company: string }, token: string, mask = false): string {
  const shown = (secret: string) => (mask ? '********' : secret);
  return `User ${shown(secrets.user)}, Organization ${shown(secrets.company)}, Element ${shown(token)}`;
}

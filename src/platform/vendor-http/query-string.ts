/**
 * A query string of the parameters that are defined, with its `?`; '' when none is. Most hub
 * calls pass none, so that case allocates nothing.
 */
export function queryString(params: Record<string, string | number | undefined>): string {
  let search: URLSearchParams | undefined;
  for (const key in params) {
    const value = params[key];
    if (value === undefined) continue;
    search ??= new URLSearchParams();
    search.append(key, String(value));
  }
  return search ? `?${search.toString()}` : '';
}

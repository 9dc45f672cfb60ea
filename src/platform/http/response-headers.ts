/** Headers on every answer: no browser guesses a type the answer does not declare, and no link leaks the URL. */
export const SAFETY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;

/** API answers carry secrets, tokens and vendor data: no cache along the way may keep them. */
export const API_CACHE_CONTROL = 'no-store';

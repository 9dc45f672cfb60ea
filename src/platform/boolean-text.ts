/**
 * A yes/no value that may come as JSON or as text: JSON `true`, or the text `true` (Open
 * Connectors' BOOLEAN configuration values and query flags are text, and a transformation's
 * boolean field takes either). Anything else, `"TRUE"` included, is no.
 */
export const isTrue = (value: unknown): boolean => value === true || value === 'true';

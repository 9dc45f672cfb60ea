/**
 * A yes/no setting as callers send it: JSON `true`, or the text `true` (Open Connectors' BOOLEAN
 * configuration values and query flags are text). Anything else, `"TRUE"` included, is no.
 */
export const isTrue = (value: unknown): boolean => value === true || value === 'true';

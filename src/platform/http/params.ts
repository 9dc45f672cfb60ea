import { badRequest } from '../errors.ts';

/** A platform entity id from a path segment: a positive integer, or 400 naming what was expected. */
export function parseId(value: string, what: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw badRequest(`${what} id must be a positive integer, got "${value.slice(0, 64)}"`);
  return Number(value);
}

/** A non-negative integer query parameter with a default and an upper bound (clamped). */
export function parseCount(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw badRequest(`${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
}

/** A request body that must be a JSON object; an absent body counts as `{}`. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

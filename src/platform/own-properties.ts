/**
 * Keys that come from data (a vendor's JSON, a transformation's path, a query string) are read
 * and written as the object's own properties only. A plain `obj[key]` would read `constructor`
 * or `__proto__` from the prototype chain, and `obj['__proto__'] = v` replaces the object's
 * prototype instead of storing a member; through a path like `__proto__.x` it reaches
 * `Object.prototype` itself, which every object of the process shares.
 */

/** The object's own member `key`, or `undefined`: never an inherited one. */
export function ownValue(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Stores `value` as an own, enumerable member, `__proto__` included. */
export function setOwn(obj: object, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else (obj as Record<string, unknown>)[key] = value;
}

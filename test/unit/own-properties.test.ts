import { describe, expect, it } from 'vitest';
import { readPath } from '../../src/ceql/evaluate.ts';
import { stripNulls } from '../../src/hubs/response-shaping.ts';
import { applyRead, applyWrite, compileTransformation, getPath, parsePath, setPath } from '../../src/transformations/mapping.ts';

const own = (obj: object, key: string) => Object.getOwnPropertyDescriptor(obj, key)?.value;
const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('keys from data', () => {
  it('are never read from the prototype chain', () => {
    for (const key of INHERITED) {
      expect(getPath({}, parsePath(key))).toBeUndefined();
      expect(getPath({ a: {} }, parsePath(`a.${key}`))).toBeUndefined();
      expect(readPath({}, { path: [key] } as never)).toBeUndefined();
    }
  });

  it('are written as own members, whatever their name, and leave the prototypes alone', () => {
    for (const key of INHERITED) {
      const out: Record<string, unknown> = {};
      setPath(out, parsePath(`${key}.x`), 1);
      setPath(out, parsePath(`a.${key}[1]`), 2);
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(own(out, key)).toEqual({ x: 1 });
      expect(own(out.a as object, key)).toEqual([undefined, 2]);
      expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse(`{"${key}":{"x":1},"a":{"${key}":[null,2]}}`));
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('survive null stripping and transformations in both directions', () => {
    const vendor = JSON.parse('{"__proto__":{"n":null,"v":1},"constructor":"c","key":"CE-1"}');
    expect(JSON.stringify(stripNulls(vendor))).toBe('{"__proto__":{"v":1},"constructor":"c","key":"CE-1"}');
    const t = compileTransformation({
      vendorName: 'issue',
      fields: [{ path: 'id', type: 'string', vendorPath: 'key' }],
      configuration: [{ type: 'passThrough' }],
      isLegacy: false,
    });
    expect(JSON.stringify(applyRead(vendor, t))).toContain('"__proto__":{"n":null,"v":1}');
    const written = applyWrite(JSON.parse('{"id":"CE-1","__proto__":{"polluted":1}}'), t);
    expect(own(written, '__proto__')).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

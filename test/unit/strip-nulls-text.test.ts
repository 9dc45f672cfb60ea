import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripNulls } from '../../src/hubs/response-shaping.ts';
import { stripNullsFromJsonText } from '../../src/hubs/strip-nulls-text.ts';

// Strings that look like JSON structure, so the walk must know where strings begin and end.
const tricky = fc.constantFrom('null', ':null', '":null,"', '\\', '\\"', '"', '\\\\', ',"a":null}', '{', '[null]', 'nul', 'ünï');
const text = fc.oneof(fc.string(), tricky, fc.array(tricky, { maxLength: 4 }).map((xs) => xs.join('')));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), text,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 6 })),
})).value;

describe('stripNullsFromJsonText', () => {
  it('equals stripNulls on the parsed value, compact or pretty-printed', () => {
    fc.assert(fc.property(json, fc.constantFrom(undefined, 1, 2, '\t'), (value, indent) => {
      const source = JSON.stringify(value, null, indent);
      expect(JSON.parse(stripNullsFromJsonText(source))).toEqual(stripNulls(JSON.parse(source)));
    }), { numRuns: 3000 });
  });

  it('removes members wherever they stand and keeps nulls in arrays', () => {
    expect(stripNullsFromJsonText('{"a":null}')).toBe('{}');
    expect(stripNullsFromJsonText('{"a":null,"b":null,"c":1}')).toBe('{"c":1}');
    expect(stripNullsFromJsonText('{"x":1,"a":null,"b":null}')).toBe('{"x":1}');
    expect(stripNullsFromJsonText('{"x":"null","y":[null,{"z":null}],"w":"a\\":null"}')).toBe('{"x":"null","y":[null,{}],"w":"a\\":null"}');
    expect(stripNullsFromJsonText('{ "a" : null ,\n "b" : 2 }')).toBe('{ \n "b" : 2 }');
    expect(stripNullsFromJsonText('null')).toBe('null');
    expect(stripNullsFromJsonText('[1,null]')).toBe('[1,null]');
  });

  it('returns text without nulls unchanged', () => {
    const source = '{"summary":"all fine","n":[1,2]}';
    expect(stripNullsFromJsonText(source)).toBe(source);
  });
});

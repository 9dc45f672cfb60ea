import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyWithoutNulls, stripNulls } from '../../src/hubs/response-shaping.ts';
import { memberNullsBySearch, memberNullsByWalk, stripNullsFromJsonText } from '../../src/hubs/strip-nulls-json.ts';

/** The bytes of `source` as the text the hub strips (one character per byte), stripped, as bytes again. */
const strip = (source: string) => Buffer.from(stripNullsFromJsonText(Buffer.from(source).toString('latin1')), 'latin1').toString('utf8');

// Strings that look like JSON structure, so the walk must know where strings begin and end.
const tricky = fc.constantFrom(
  '__proto__',
  'constructor',
  'null',
  ':null',
  '":null,"',
  '\\',
  '\\"',
  '"',
  '\\\\',
  ',"a":null}',
  '{',
  '[null]',
  'nul',
  'ünï',
  'n',
  '日本',
  // Keys whose last character could come before an opening quote: only the walk can tell.
  'a,',
  'a:',
  'a{',
  'a[',
  ', ',
);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  tricky,
  fc.array(tricky, { maxLength: 4 }).map((xs) => xs.join('')),
);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    text,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('stripNullsFromJsonText', () => {
  it('equals stripNulls on the parsed value, compact or pretty-printed', () => {
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, 1, 2, '\t'), (value, indent) => {
        const source = JSON.stringify(value, null, indent);
        const expected = stripNulls(JSON.parse(source));
        expect(JSON.parse(strip(source))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds member nulls from each null alone exactly where the walk over every string finds them, or leaves them to it', () => {
    let searched = 0;
    let walked = 0;
    fc.assert(
      fc.property(json, fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
        const source = Buffer.from(JSON.stringify(value, null, indent)).toString('latin1');
        const found = memberNullsBySearch(source);
        if (found === undefined) walked++;
        else {
          searched++;
          expect(found).toEqual(memberNullsByWalk(source));
        }
      }),
      { numRuns: 3000 },
    );
    // Both ways were taken: the comparison above was made, and the walk was needed.
    expect(searched).toBeGreaterThan(1000);
    expect(walked).toBeGreaterThan(10);
  });

  it('needs no walk for an issue as Jira sends it', () => {
    const issue = {
      id: '10998',
      key: 'CE-600',
      fields: {
        summary: 'Search ignores accents: "Zürich", {"a":null}, [null], ":null,"',
        environment: null,
        customfield_10000: null,
        assignee: { name: 'jiradev', emailAddress: null, avatarUrls: { '48x48': 'https://jira/a.png' } },
        labels: [],
        resolution: null,
        timetracking: {},
      },
    };
    const source = Buffer.from(JSON.stringify(issue)).toString('latin1');
    expect(memberNullsBySearch(source)).toEqual(memberNullsByWalk(source));
    expect(memberNullsBySearch(source)).toHaveLength(8);
  });

  it('removes members wherever they stand and keeps nulls in arrays', () => {
    expect(strip('{"a":null}')).toBe('{}');
    expect(strip('{"a":null,"b":null,"c":1}')).toBe('{"c":1}');
    expect(strip('{"x":1,"a":null,"b":null}')).toBe('{"x":1}');
    expect(strip('{"x":"null","y":[null,{"z":null}],"w":"a\\":null"}')).toBe('{"x":"null","y":[null,{}],"w":"a\\":null"}');
    expect(strip('{ "a" : null ,\n "b" : 2 }')).toBe('{ \n "b" : 2 }');
    expect(strip('{"é":"ü","n":null,"t":true,"f":false,"日本":null}')).toBe('{"é":"ü","t":true,"f":false}');
    expect(strip('null')).toBe('null');
    expect(strip('[1,null]')).toBe('[1,null]');
    // A key ending in a comma, and a text starting with a colon: the walk tells them apart.
    expect(strip('{"a,":null,"b":[":null,"],"c:":null}')).toBe('{"b":[":null,"]}');
    expect(strip('{"x":":null","y":null}')).toBe('{"x":":null"}');
  });

  it('returns the very text when nothing is removed', () => {
    for (const source of ['{"summary":"all fine","n":[1,2]}', '{"s":"null","a":[null]}']) {
      expect(stripNullsFromJsonText(source)).toBe(source);
    }
  });
});

describe('stringifyWithoutNulls', () => {
  it('writes exactly what stripNulls then JSON.stringify write, for values parsed from JSON', () => {
    fc.assert(
      fc.property(json, (value) => {
        const parsed = JSON.parse(JSON.stringify(value));
        expect(stringifyWithoutNulls(parsed)).toBe(JSON.stringify(stripNulls(parsed)));
      }),
      { numRuns: 3000 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseWhere, parseOrderBy, printWhere, matches, readPath, comparator, likeMatches, CeqlError, type Expr } from '../../src/ceql/index.ts';

const strip = (e: unknown): unknown => JSON.parse(JSON.stringify(e, (k, v) => (k === 'offset' ? undefined : v)));

describe('CEQL parser', () => {
  it('parses the documented operators and precedence', () => {
    const e = parseWhere("LastModifiedDate>'2018-01-15T00:00:00.000Z' AND (Name='Account Name' OR Industry='Apparel')");
    expect(printWhere(e)).toBe("(LastModifiedDate > '2018-01-15T00:00:00.000Z' AND (Name = 'Account Name' OR Industry = 'Apparel'))");
    expect(printWhere(parseWhere('a = 1 OR b = 2 AND c = 3'))).toBe('(a = 1 OR (b = 2 AND c = 3))');
    expect(printWhere(parseWhere("x in ('a','b') and y is null and z is not null and w not like 'q%'"))).toBe(
      "(((x IN ('a', 'b') AND y IS NULL) AND z IS NOT NULL) AND w NOT LIKE 'q%')",
    );
    expect(printWhere(parseWhere("not a <> 'x'"))).toBe("NOT a != 'x'");
    expect(printWhere(parseWhere("`metaData.lastUpdateTime` > '2015'"))).toBe("`metaData.lastUpdateTime` > '2015'");
    expect(parseWhere('fields.summary = true')).toMatchObject({ field: { path: ['fields', 'summary'] }, value: { kind: 'boolean', value: true } });
    expect(parseWhere("name = 'O''Brien'")).toMatchObject({ value: { value: "O'Brien" } });
    expect(parseWhere('n >= -1.5')).toMatchObject({ op: '>=', value: { kind: 'number', value: -1.5 } });
  });

  it.each([
    ["name = 'x' AND", 14, /Expected a field name/],
    ["name = 'x", 7, /Unterminated string/],
    ['name', 4, /Expected an operator/],
    ["(name = 'x'", 11, /Expected "\)"/],
    ["name = 'x' name = 'y'", 11, /Expected end of query/],
    ['name = foo', 7, /Expected a value/],
    ['name ~ 1', 5, /Unexpected character "~"/],
    ['`a` = ``', 6, /Empty back-ticked field/],
  ])('reports %s at offset %i', (input, offset, message) => {
    try {
      parseWhere(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CeqlError);
      expect((err as CeqlError).offset).toBe(offset);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('limits nesting instead of overflowing the stack', () => {
    expect(() => parseWhere(`${'('.repeat(500)}a = 1${')'.repeat(500)}`)).toThrow(/nested too deeply/);
    expect(() => parseWhere(`${'NOT '.repeat(500)}a = 1`)).toThrow(/nested too deeply/);
  });

  it('parses orderBy lists', () => {
    expect(parseOrderBy('name desc, createdDate asc, id').map((k) => [k.field.name, k.direction])).toEqual([
      ['name', 'desc'],
      ['createdDate', 'asc'],
      ['id', 'asc'],
    ]);
    expect(() => parseOrderBy('name sideways')).toThrow(CeqlError);
  });

  const ident = fc
    .stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/)
    .filter((s) => !['and', 'or', 'not', 'in', 'is', 'null', 'like', 'true', 'false', 'asc', 'desc'].includes(s.toLowerCase()));
  const value = fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => ({ kind: 'string' as const, value: s })),
    fc.integer({ min: -1000, max: 1000 }).map((n) => ({ kind: 'number' as const, value: n, raw: String(n) })),
    fc.boolean().map((b) => ({ kind: 'boolean' as const, value: b })),
  );
  const field = fc.array(ident, { minLength: 1, maxLength: 3 }).map((path) => ({ path, name: path.join('.'), offset: 0 }));
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.record({ kind: fc.constant('compare' as const), field, op: fc.constantFrom('=', '!=', '<', '>', '<=', '>=' as const), value }),
    fc.record({ kind: fc.constant('in' as const), field, negated: fc.boolean(), values: fc.array(value, { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('null' as const), field, negated: fc.boolean() }),
    fc.record({ kind: fc.constant('like' as const), field, negated: fc.boolean(), pattern: fc.string({ maxLength: 8 }) }),
  ) as fc.Arbitrary<Expr>;
  const expr = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constant('and' as const), left: tie('e'), right: tie('e') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('e'), right: tie('e') }),
      fc.record({ kind: fc.constant('not' as const), expr: tie('e') }),
    ) as fc.Arbitrary<Expr>,
  })).e;

  it('parses what it prints (property)', () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(strip(parseWhere(printWhere(e)))).toEqual(strip(e));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but CeqlError on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          parseWhere(s);
        } catch (err) {
          expect(err).toBeInstanceOf(CeqlError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CEQL in-memory evaluation', () => {
  const rows = [
    { id: 1, name: 'Acme', tier: 'gold', spend: 100, meta: { region: 'EU' }, closed: null },
    { id: 2, name: 'Globex', tier: 'silver', spend: 50, meta: { region: 'US' }, closed: '2024-01-01' },
    { id: 3, name: 'Initech', tier: 'gold', spend: 75, meta: { region: 'US' }, closed: null },
  ];
  const run = (where: string) => rows.filter((r) => matches(parseWhere(where), r, readPath)).map((r) => r.id);

  it('filters with every operator', () => {
    expect(run("tier = 'gold'")).toEqual([1, 3]);
    expect(run("tier != 'gold'")).toEqual([2]);
    expect(run('spend > 60 AND spend <= 100')).toEqual([1, 3]);
    expect(run("meta.region IN ('US')")).toEqual([2, 3]);
    expect(run("meta.region NOT IN ('US')")).toEqual([1]);
    expect(run('closed IS NULL')).toEqual([1, 3]);
    expect(run('closed IS NOT NULL')).toEqual([2]);
    expect(run("name LIKE 'g%'")).toEqual([2]);
    expect(run("name LIKE '_nitec_'")).toEqual([3]);
    expect(run("NOT (tier = 'gold' OR spend < 60)")).toEqual([]);
    expect(run("name like '100%'")).toEqual([]);
  });

  it('matches LIKE as a reference regular expression does, for every pattern and text', () => {
    // The reference is a regex: fine on these short inputs, exponential on long ones.
    const reference = (text: string, pattern: string) =>
      new RegExp(`^${[...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, 'isu').test(
        text,
      );
    const alphabet = fc.constantFrom('a', 'b', 'A', '%', '_', 'é', '日', '.', '*', '\\');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 12 }).map((a) => a.join('')),
        fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')),
        (text, pattern) => {
          expect(likeMatches(text.replace(/[%_]/g, ''), pattern)).toBe(reference(text.replace(/[%_]/g, ''), pattern));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('matches LIKE in time proportional to the text, where a backtracking engine takes exponential time', () => {
    // With a regular expression this pattern against 5,000 × a would never finish.
    const text = 'a'.repeat(5000);
    expect(likeMatches(text, '%a%a%a%a%a%a%a%a%a%b')).toBe(false);
    expect(likeMatches(`${text}b`, '%a%a%a%a%a%a%a%a%a%b')).toBe(true);
  });

  it('refuses LIKE patterns that are too long or have too many wildcards', () => {
    expect(() => parseWhere(`name LIKE '${'x'.repeat(201)}'`)).toThrow(/at most 200 characters/);
    expect(() => parseWhere(`name LIKE '${'%a'.repeat(11)}'`)).toThrow(/at most 10 % wildcards/);
    expect(() => parseWhere(`name LIKE '${'%a'.repeat(10)}'`)).not.toThrow();
  });

  it('sorts by several keys', () => {
    const sorted = [...rows].sort(comparator(parseOrderBy('tier asc, spend desc'), readPath)).map((r) => r.id);
    expect(sorted).toEqual([1, 3, 2]);
  });
});

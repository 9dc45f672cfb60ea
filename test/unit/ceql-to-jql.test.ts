import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseWhere, parseOrderBy } from '../../src/ceql/index.ts';
import { translateWhere, translateOrderBy, jqlString } from '../../src/elements/jiraonprem/hub/ceql-to-jql.ts';
import { parseJql } from '../../emulators/jira-server/jql/parser.ts';

const jql = (where: string, zone = 'UTC') => translateWhere(parseWhere(where), zone).jql;

describe('CEQL → JQL', () => {
  it('maps the operators of the translation table', () => {
    expect(jql("key = 'P-1'")).toBe('key = "P-1"');
    expect(jql("id = '10001'")).toBe('id = 10001');
    expect(jql("fields.status.name != 'Open'")).toBe('status != "Open"');
    expect(jql("summary LIKE 'QBO%'")).toBe('summary ~ "QBO*"');
    expect(jql("summary NOT LIKE 'QBO'")).toBe('summary !~ "QBO"');
    expect(jql("customfield_10100 = '1|hzzvw7:'")).toBe('cf[10100] = "1|hzzvw7:"');
    expect(jql("priority IN ('High','Low')")).toBe('priority in ("High", "Low")');
    expect(jql('assignee IS NULL')).toBe('assignee is EMPTY');
    expect(jql('assignee IS NOT NULL')).toBe('assignee is not EMPTY');
    expect(jql("(a = 'x' OR b = 'y') AND NOT c = 'z'")).toBe('((a = "x" OR b = "y") AND NOT (c = "z"))');
    expect(jql('`Story Points` > 3')).toBe('"Story Points" > 3');
  });

  it('writes ISO timestamps in the Jira user zone at minute precision, widening and re-checking', () => {
    expect(jql("updated >= '2024-05-01T10:00:00Z'", 'Asia/Tokyo')).toBe('updated >= "2024-05-01 19:00"');
    const t = translateWhere(parseWhere("updated >= '2024-05-01T10:00:30Z'"), 'Asia/Tokyo');
    expect(t.jql).toBe('updated >= "2024-05-01 19:00"');
    expect(t.filters).toHaveLength(1);
    expect(t.filters[0]!({ fields: { updated: '2024-05-01T19:00:29.000+0900' } })).toBe(false);
    expect(t.filters[0]!({ fields: { updated: '2024-05-01T19:00:30.000+0900' } })).toBe(true);
    expect(jql("created < '2024-05-01T10:00:30Z'")).toBe('created < "2024-05-01 10:01"');
    expect(jql("updated >= '2024-01-15T00:00:00.000-05:00'", 'Europe/Berlin')).toBe('updated >= "2024-01-15 06:00"');
    // Under OR the exact bound cannot be re-checked, so there is no in-memory filter.
    expect(translateWhere(parseWhere("updated > '2024-05-01T10:00:30Z' OR key = 'A-1'"), 'UTC').filters).toHaveLength(0);
  });

  it('refuses what Jira cannot do with a 400', () => {
    expect(() => jql("summary LIKE '%fire'")).toThrow(/leading wildcard/);
    expect(() => jql("summary LIKE 'a%b'")).toThrow(/only at the end/);
    expect(() => jql("id = 'abc'")).toThrow(/id must be a number/);
    expect(() => jql("fields.a.b.c = 'x'")).toThrow(/cannot be filtered/);
  });

  it('orders with a key tie-breaker; by default oldest created first', () => {
    expect(translateOrderBy(undefined)).toBe(' ORDER BY created ASC, key ASC');
    expect(translateOrderBy(parseOrderBy('fields.updated desc'))).toBe(' ORDER BY updated DESC, key ASC');
    expect(translateOrderBy(parseOrderBy('key desc'))).toBe(' ORDER BY key DESC');
  });

  it('never lets a value break out of its JQL string (fuzz, checked with a real JQL parser)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: 'binary' }), (value) => {
        const where = `summary = '${value.replace(/'/g, "''")}' AND project = 'CE'`;
        const out = translateWhere(parseWhere(where), 'UTC').jql;
        const ast = parseJql(out).where!;
        expect(ast.kind).toBe('and');
        const clause = (ast as any).left;
        expect(clause.kind).toBe('clause');
        expect(clause.operand).toMatchObject({ kind: 'value', quoted: true, value: `"${value}"` });
        expect((ast as any).right).toMatchObject({ kind: 'clause', field: { name: 'project' }, operand: { value: 'CE' } });
      }),
      { numRuns: 3000 },
    );
  });

  it('quotes any value round-trip safely', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const ast = parseJql(`x = ${jqlString(s)}`).where as any;
        expect(ast.operand.value).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CeqlError } from '../../src/ceql/ast.ts';
import { parseSelect } from '../../src/ceql/select.ts';
import { csvCell, csvLine, flatten } from '../../src/bulk/csv.ts';

describe('parseSelect', () => {
  it('reads the fields, the object, the where and the order by', () => {
    expect(parseSelect('select * from incidents')).toEqual({ fields: undefined, objectName: 'incidents', where: undefined, orderBy: undefined });
    const q = parseSelect("  SELECT id, fields.summary, `odd name` FROM incidents WHERE fields.summary = 'order by x' AND key != 'CE-1' ORDER BY created desc");
    expect(q.fields).toEqual(['id', 'fields.summary', 'odd name']);
    expect(q.objectName).toBe('incidents');
    expect(q.where).toMatchObject({ kind: 'and' });
    expect(q.orderBy).toEqual([{ field: expect.objectContaining({ path: ['created'] }), direction: 'desc' }]);
    expect(parseSelect('select id from incidents order by key').orderBy).toHaveLength(1);
  });

  it('refuses what is not a select, naming where', () => {
    for (const bad of [
      '',
      'delete from incidents',
      'select',
      'select from incidents',
      'select * incidents',
      'select * from',
      'select * from incidents where',
      'select * from incidents limit 5',
      'selectx * from incidents',
    ]) {
      expect(() => parseSelect(bad), bad).toThrow(CeqlError);
    }
  });
});

describe('bulk CSV', () => {
  it('flattens records into dotted columns, arrays as JSON, and quotes cells as RFC 4180 says', () => {
    expect([...flatten({ id: '1', fields: { summary: 'a, "b"', labels: ['x', 'y'], status: { name: 'Open' }, none: null } })]).toEqual([
      ['id', '1'],
      ['fields.summary', 'a, "b"'],
      ['fields.labels', '["x","y"]'],
      ['fields.status.name', 'Open'],
      ['fields.none', ''],
    ]);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvLine(['a, "b"', 'c'])).toBe('"a, ""b""",c\r\n');
  });
});

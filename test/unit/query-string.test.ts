import { describe, expect, it } from 'vitest';
import { queryString } from '../../src/platform/vendor-http/query-string.ts';

describe('queryString', () => {
  it('is empty when no parameter is defined', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ fields: undefined, expand: undefined })).toBe('');
  });

  it('keeps the defined parameters in their order, encoded, numbers as text', () => {
    expect(queryString({ jql: 'project = "CE" & x', startAt: 0, fields: undefined, expand: 'names,schema' })).toBe(
      '?jql=project+%3D+%22CE%22+%26+x&startAt=0&expand=names%2Cschema',
    );
    expect(queryString({ 'a b': 'ü', empty: '' })).toBe('?a+b=%C3%BC&empty=');
  });
});

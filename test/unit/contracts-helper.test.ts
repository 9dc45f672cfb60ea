import { describe, expect, it } from 'vitest';
import { assertContract } from '../helpers/contracts.ts';

describe('contract helper', () => {
  it('fails on responses that break a schema, so contract assertions can fail', () => {
    expect(() => assertContract('element.schema.json', { name: 'x' })).toThrow(/key/);
    expect(() => assertContract('element.instance.schema.json', { id: '1', name: 'n', token: 't', valid: true, tags: [], user: {} })).toThrow();
    expect(() => assertContract('account.schema.json', { id: 1 })).not.toThrow();
  });
});

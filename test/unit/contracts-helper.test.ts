import { describe, expect, it } from 'vitest';
import { assertContract } from '../helpers/contracts.ts';

describe('contract helper', () => {
  it('fails on responses that break a schema, so contract assertions can fail', () => {
    expect(() => assertContract('element', { name: 'x' })).toThrow(/key/);
    expect(() => assertContract('instance', { id: '1', name: 'n', token: 't', valid: true, tags: [], user: {} })).toThrow();
    expect(() =>
      assertContract('instances', [
        { id: 1, name: 'n', token: 't', valid: 'yes', tags: [], user: { id: 1, emailAddress: 'a', firstName: 'b', lastName: 'c' } },
      ]),
    ).toThrow(/valid/);
    expect(() => assertContract('event', { id: 'e', eventDate: 'd', status: 'LOST', providerData: '{}' })).toThrow(/status/);
    expect(() => assertContract('account', { id: 1 })).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { isSecretName, maskSecretQuery } from '../../src/platform/secret-names.ts';

describe('secret names', () => {
  it('name credentials whatever else the name says', () => {
    for (const name of ['Authorization', 'cookie', 'clientSecret', 'x-api-key', 'apiKey', 'passwd', 'sessionId', 'X-Hub-Signature', 'access_token'])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ['pageSize', 'where', 'summary', 'content-type']) expect(isSecretName(name), name).toBe(false);
  });

  it('mask the values of secret-named query parameters, escaped or repeated, and keep every other query as written', () => {
    expect(maskSecretQuery('/a/b')).toBe('/a/b');
    expect(maskSecretQuery('/a?where=x%20%3D%201&pageSize=2')).toBe('/a?where=x%20%3D%201&pageSize=2');
    expect(maskSecretQuery('/a?token=t1&x=1&token=t2')).toBe('/a?token=********&x=1');
    expect(maskSecretQuery('/a?pass%77ord=pw&x=1', '[redacted]')).toBe('/a?password=%5Bredacted%5D&x=1');
    expect(maskSecretQuery('/a?access+token=k')).toBe('/a?access+token=********');
    // A secret-looking value under another name is not a secret-named parameter.
    expect(maskSecretQuery('/a?where=token%3D1')).toBe('/a?where=token%3D1');
  });
});

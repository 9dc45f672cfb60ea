import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loggerOptions } from '../../src/platform/logger.ts';

describe('log redaction', () => {
  it('removes authorization headers, cookies, passwords, secrets and tokens', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const log = pino(loggerOptions('info'), sink);
    log.info(
      {
        req: { headers: { authorization: 'User abc, Organization def', cookie: 'JSESSIONID=xyz', 'elements-user-password': 'pw1' } },
        body: { password: 'pw2', secret: 's3', token: 't4' },
        configuration: { password: 'pw5', username: 'visible', 'event.notification.signature.key': 'sig6' },
      },
      'request',
    );
    for (const secret of ['User abc', 'JSESSIONID=xyz', 'pw1', 'pw2', 's3', 't4', 'pw5', 'sig6']) expect(out).not.toContain(secret);
    expect(out).toContain('visible');
  });
});

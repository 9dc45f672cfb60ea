import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loggerOptions } from '../../src/platform/logger.ts';
import { lazyChildLogger } from '../../src/platform/http/request-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((l: string) => JSON.parse(l)),
      );
      cb();
    },
  });
  return { lines, root: pino(loggerOptions('info'), sink) };
}

describe('request logger', () => {
  it('makes no pino child until something logs, then logs with the request id and redaction', () => {
    const { lines, root } = capture();
    let children = 0;
    const child = root.child.bind(root);
    root.child = ((...args: Parameters<typeof child>) => {
      children++;
      return child(...args);
    }) as typeof root.child;

    const log = lazyChildLogger(root, { reqId: 'r1' }, {});
    expect(children).toBe(0);
    expect(log.level).toBe('info');
    log.debug('below the level');
    log.error({ err: { message: 'boom' }, configuration: { password: 'pw' } }, 'unhandled error');
    log.warn('second line');
    expect(children).toBe(1);
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['r1', 'unhandled error'],
      ['r1', 'second line'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('"pw"');
  });

  it('takes a level of its own and makes grandchildren with both bindings', () => {
    const { lines, root } = capture();
    const log = lazyChildLogger(root, { reqId: 'r2' }, { level: 'debug' });
    expect(log.level).toBe('debug');
    log.debug('kept at debug');
    log.child({ part: 'upload' }).info('nested');
    expect(lines.map((l) => [l.reqId, l.part, l.msg])).toEqual([
      ['r2', undefined, 'kept at debug'],
      ['r2', 'upload', 'nested'],
    ]);
  });
});

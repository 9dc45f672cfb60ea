import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino removes from every log line. Request headers carry the Open Connectors secrets;
 * bodies and configuration objects carry vendor passwords, tokens and signature keys.
 */
export const redactPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["elements-user-password"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.personalAccessToken',
  '*.userSecret',
  '*.organizationSecret',
  '*["event.notification.signature.key"]',
  'configuration.password',
  'configuration.personalAccessToken',
  'configuration["event.notification.signature.key"]',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: [...redactPaths], censor: '[redacted]' },
  };
}

/**
 * The process's logger: JSON lines on stdout, batched. Lines are collected up to 16 KB and
 * written in one synchronous write, or after at most 200 ms: one write per request (the access
 * line) cost more CPU than the rest of a proxied hub call, and a write handed to libuv's thread
 * pool costs more than one made in place. What is still buffered is written when the process
 * exits (crash included); only a kill -9 can lose the last 200 ms.
 */
export function createLogger(level: string): Logger {
  const destination = pino.destination({ dest: 1, sync: true, minLength: 16_000, periodicFlush: 200 });
  process.on('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone (closed pipe): nothing left to write to.
    }
  });
  return pino(loggerOptions(level), destination);
}

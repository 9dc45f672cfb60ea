import pino, { type Logger, type LoggerOptions } from 'pino';
import { BatchedLogDestination } from './log-destination.ts';
import { REDACTED } from './secret-names.ts';

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
    redact: { paths: [...redactPaths], censor: REDACTED },
  };
}

/**
 * The process's logger: JSON lines on stdout, batched (log-destination.ts): one write per
 * request (the access line) cost more CPU than the rest of a proxied hub call. Writes never wait
 * for the reader: one that falls far behind loses lines, counted and reported in the output. What
 * is still buffered is written when the process exits (crash included); a kill -9 loses at most
 * the last 200 ms.
 */
export function createLogger(level: string): { logger: Logger; droppedLines: () => number } {
  const destination = new BatchedLogDestination(1);
  process.on('exit', () => destination.flushSync());
  return { logger: pino(loggerOptions(level), destination), droppedLines: () => destination.droppedLines };
}

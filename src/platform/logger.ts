import type { LoggerOptions } from 'pino';

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

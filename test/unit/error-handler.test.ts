import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import pino from 'pino';
import { logLines } from '../helpers/log-lines.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import { registerErrorHandler } from '../../src/platform/http/error-handler.ts';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';
import { ApiError } from '../../src/platform/errors.ts';
import { registerSchemaCompilers } from '../../src/platform/http/schema-compilers.ts';
import { Type } from 'typebox';

/** An app whose routes throw what is given, logging to `lines`. */
async function appThrowing(errors: Record<string, Error>) {
  const { lines, sink } = logLines();
  const app = Fastify({
    loggerInstance: pino(loggerOptions('info'), sink) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerErrorHandler(app, isDatabaseUnavailable);
  for (const [path, error] of Object.entries(errors))
    app.get(path, async () => {
      throw error;
    });
  await app.ready();
  return { app, lines };
}

describe('error handler', () => {
  it('logs an expected 5xx as one warning without a stack, and only the unexpected with its stack', async () => {
    const { app, lines } = await appThrowing({
      '/database': Object.assign(new Error('the database did not answer within 1000 ms'), { code: 'ETIMEDOUT' }),
      '/vendor': new ApiError('PROVIDER_ERROR', 'The vendor answered 503'),
      '/bug': new TypeError('x is undefined'),
    });
    const database = await app.inject({ url: '/database' });
    expect(database.statusCode).toBe(503);
    expect(database.headers['retry-after']).toBe('5');
    expect((await app.inject({ url: '/vendor' })).statusCode).toBe(502);
    const bug = await app.inject({ url: '/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('x is undefined');
    const [db, vendor, unexpected] = lines;
    expect(db).toMatchObject({ level: 40, err: 'the database did not answer within 1000 ms' });
    expect(vendor).toMatchObject({ level: 40, err: 'The vendor answered 503' });
    expect(unexpected).toMatchObject({ level: 50, msg: 'unhandled error', err: { message: 'x is undefined', stack: expect.stringContaining('TypeError') } });
    expect(lines).toHaveLength(3);
    await app.close();
  });
});

describe('validation errors', () => {
  it('name the field and what it may be: the values of a union of constants or an enum, the member not taken', async () => {
    const app = Fastify();
    registerSchemaCompilers(app);
    registerErrorHandler(app, isDatabaseUnavailable);
    const body = Type.Object(
      {
        severity: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('high')])),
        channel: Type.Optional(Type.Literal('webhook')),
        nested: Type.Optional(Type.Object({ mode: Type.Enum(['on', 'off']) })),
        count: Type.Optional(Type.Integer()),
      },
      { additionalProperties: false },
    );
    app.post('/', { schema: { body } }, async () => ({}));
    await app.ready();
    const message = async (payload: unknown) => {
      const res = await app.inject({ method: 'POST', url: '/', payload: payload as object });
      expect(res.statusCode).toBe(400);
      return res.json().message as string;
    };
    expect(await message({ severity: 'urgent' })).toBe('Invalid request: body/severity must be one of "low", "high"');
    expect(await message({ channel: 'email' })).toBe('Invalid request: body/channel must be "webhook"');
    expect(await message({ nested: { mode: 'maybe' } })).toBe('Invalid request: body/nested/mode must be one of "on", "off"');
    expect(await message({ count: 'many' })).toBe('Invalid request: body/count must be integer');
    expect(await message({ colour: 'red' })).toBe('Invalid request: body must NOT have additional properties: "colour"');
    await app.close();
  });
});

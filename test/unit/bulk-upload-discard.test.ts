import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BulkRepository } from '../../src/bulk/bulk-repository.ts';
import type { BulkService, StoredUpload } from '../../src/bulk/bulk-service.ts';
import { registerBulkRoutes } from '../../src/bulk/routes/bulk.ts';
import type { InstanceService } from '../../src/instances/instance-service.ts';
import { badRequest } from '../../src/platform/errors.ts';
import { registerErrorHandler } from '../../src/platform/http/error-handler.ts';
import { registerSchemaCompilers } from '../../src/platform/http/schema-compilers.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import type { OutboundPolicy } from '../../src/platform/outbound-policy.ts';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';
import { logLines } from '../helpers/log-lines.ts';

/**
 * An upload refused after its rows were stored is dropped again; when even that fails, the
 * caller still gets the refusal, and the log says what was left for the retention.
 */
describe('a bulk upload refused after its file was stored', () => {
  it('answers the refusal, and logs a drop that failed instead of swallowing it', async () => {
    const { lines, sink } = logLines();
    const app = Fastify({
      loggerInstance: pino(loggerOptions('info'), sink) as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    registerSchemaCompilers(app);
    registerErrorHandler(app, isDatabaseUnavailable);
    app.addHook('onRequest', async (request) => {
      request.identity = { organizationId: 1 } as NonNullable<typeof request.identity>;
    });
    const discarded: string[] = [];
    const stored = { job: { id: 'a'.repeat(24), status: 'CREATED' }, rows: 1, chunks: 1 } as unknown as StoredUpload;
    const bulk = {
      createImport: async (_instance: unknown, _object: string, upload: { file: NodeJS.ReadableStream }) => {
        for await (const _ of upload.file);
        return stored;
      },
      startImport: async () => {
        throw badRequest('the queue refused the job');
      },
      discard: async (job: { id: string }) => {
        discarded.push(job.id);
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      },
    } as unknown as BulkService;
    const instances = { byToken: async () => ({ id: 7, organizationId: 1, disabled: false }) } as unknown as InstanceService;
    registerBulkRoutes(app, {
      bulk,
      instances,
      jobs: {} as BulkRepository,
      uploadLimit: 1024 * 1024,
      outboundPolicy: {} as OutboundPolicy,
    });
    await app.ready();

    const boundary = 'xYzBoundary';
    const res = await app.inject({
      method: 'POST',
      url: '/hubs/helpdesk/bulk/incidents',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: [
        `--${boundary}`,
        'Content-Disposition: form-data; name="file"; filename="a.csv"',
        'Content-Type: text/csv',
        '',
        'key',
        'CE-1',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: 'the queue refused the job' });
    expect(discarded).toEqual(['a'.repeat(24)]);
    const warning = lines.find((l) => l.msg === 'an unstarted bulk upload could not be dropped; the retention drops it within a day');
    expect(warning).toMatchObject({ level: 40, jobId: 'a'.repeat(24), err: { message: 'database is locked' } });
    await app.close();
  });
});

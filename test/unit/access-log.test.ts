import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loggerOptions } from '../../src/platform/logger.ts';
import { AccessLogController } from '../../src/platform/http/access-log.ts';
import { logLines } from '../helpers/log-lines.ts';

type Line = { level: number; msg: string; reqId: string; url: string; statusCode: number; error?: string };

function controller(recordedElsewhere?: (request: FastifyRequest) => boolean) {
  const { lines, sink } = logLines<Line>();
  return { lines, access: new AccessLogController(pino(loggerOptions('info'), sink), recordedElsewhere) };
}

const request = (url: string, accessLogUrl: string | null = null) => ({ id: `r-${url}`, method: 'GET', url, accessLogUrl }) as FastifyRequest;
const reply = { statusCode: 200, elapsedTime: 1.23456 } as FastifyReply;

describe('access lines', () => {
  it('skip a call another record covers, unless its answer failed', () => {
    const { lines, access } = controller((r) => r.url.startsWith('/recorded'));
    access.requestCompleted(null, request('/recorded/one'), reply);
    access.requestCompleted(new Error('the vendor closed the download'), request('/recorded/two'), reply);
    access.requestCompleted(null, request('/unrecorded'), reply);
    // Calls answered outside Fastify say themselves whether they were recorded.
    access.completed('lane-1', 'GET', '/lane/recorded', 200, 0.5, undefined, true);
    access.completed('lane-2', 'GET', '/lane/failed', 200, 0.5, new Error('cut short'), true);
    access.completed('lane-3', 'GET', '/lane/unrecorded', 200, 0.5);
    expect(lines.map((l) => [l.msg, l.url, l.error])).toEqual([
      ['request errored', '/recorded/two', 'the vendor closed the download'],
      ['request completed', '/unrecorded', undefined],
      ['request errored', '/lane/failed', 'cut short'],
      ['request completed', '/lane/unrecorded', undefined],
    ]);
    expect(lines.map((l) => l.level)).toEqual([50, 30, 50, 30]);
  });

  it('log every call when nothing else records them, with a secret path and secret query values hidden', () => {
    const { lines, access } = controller();
    access.requestCompleted(null, request('/recorded/one'), reply);
    access.requestCompleted(null, request('/events/vendor/1/secret-in-path', '/events/vendor/:instance/:secret'), reply);
    access.requestCompleted(null, request('/accounts?apiKey=query-secret&pageSize=1'), reply);
    expect(lines.map((l) => [l.reqId, l.url, l.statusCode])).toEqual([
      ['r-/recorded/one', '/recorded/one', 200],
      ['r-/events/vendor/1/secret-in-path', '/events/vendor/:instance/:secret', 200],
      ['r-/accounts?apiKey=query-secret&pageSize=1', '/accounts?apiKey=%5Bredacted%5D&pageSize=1', 200],
    ]);
  });
});

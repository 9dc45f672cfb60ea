import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/auth/identity.ts';
import type { HubAnswer, HubReads } from '../../src/hubs/hub-router.ts';
import { readLane } from '../../src/hubs/read-lane.ts';
import { ApiError } from '../../src/platform/errors.ts';
import type { AnsweredCall } from '../../src/usage/usage-hook.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The read lane's own bookkeeping of a download, over a real socket: what it reports of the
 * call once the answer has gone (test/integration/read-lane.test.ts compares its answers with
 * Fastify's).
 */
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose only hub read answers with `content`; resolves to its URL and what the lane reported. */
async function laneServing(content: () => Readable) {
  const answered: AnsweredCall[] = [];
  const failures: unknown[] = [];
  const reads: HubReads = () => ({
    identity: { organizationId: 1 } as Identity,
    usage: { instanceId: 7, elementKey: 'test', hub: 'files', vendorCalls: 1, vendorMs: 1 },
    route: '/api/hubs/:hub/files/:id',
    answer: Promise.resolve<HubAnswer>({ headers: { 'content-type': 'application/octet-stream' }, content: content() }),
  });
  let ids = 0;
  const lane = readLane({
    apiPrefix: '/api',
    reads: () => reads,
    nextRequestId: () => `req-${++ids}`,
    failure: (_requestId, error) => {
      failures.push(error);
      return new ApiError('PROVIDER_ERROR', 'the download failed');
    },
    answered: (call) => answered.push(call),
  });
  server = createServer((req, res) => {
    if (!lane(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/hubs/files/files/1`;
  return { url, answered, failures };
}

/** Waits until the lane has reported the call: it does so when the response closes. */
async function reported(answered: AnsweredCall[]): Promise<AnsweredCall> {
  await waitFor(() => answered.length > 0);
  expect(answered).toHaveLength(1);
  return answered[0]!;
}

describe('read lane downloads', () => {
  it('reports a download that went whole without an error', async () => {
    const lane = await laneServing(() => Readable.from([Buffer.from('all of it')]));
    const res = await request(lane.url, { headers: { authorization: 'x' } });
    expect(await res.body.text()).toBe('all of it');
    const call = await reported(lane.answered);
    expect(call).toMatchObject({ requestId: 'req-1', status: 200, route: '/api/hubs/:hub/files/:id' });
    expect(call.error).toBeUndefined();
    expect(lane.failures).toEqual([]);
  });

  it('reports a download cut short by its source with the error, after logging it once', async () => {
    const cut = new Error('the vendor closed the connection');
    const lane = await laneServing(
      () =>
        new Readable({
          read() {
            this.push(Buffer.from('the first half'));
            setImmediate(() => this.destroy(cut));
          },
        }),
    );
    const res = await request(lane.url, { headers: { authorization: 'x' } });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    const call = await reported(lane.answered);
    expect(call.status).toBe(200);
    expect(call.error).toBe(cut);
    expect(lane.failures).toEqual([cut]);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { types } from 'node:util';
import { Agent, Dispatcher, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observedHttp, withRequestRecorder } from '../../src/platform/observed-http.ts';
import type { OutboundHttp } from '../../src/platform/outbound-http.ts';
import { type TracedCall, tracedHttp } from '../../src/platform/traced-http.ts';
import { vendorRequest } from '../../src/platform/vendor-http/vendor-request.ts';

/**
 * The views of the outbound HTTP that count and trace vendor calls, stacked as a hub call stacks
 * them, must pass every call on whichever handler API its caller speaks: `vendorRequest`'s
 * current one and the older one of undici's own `request()` (attachment downloads).
 */
let server: Server;
let origin: string;
const agent = new Agent();
const http: OutboundHttp = { answerLimit: 1 << 20, dispatcher: () => agent, close: () => agent.close() };

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.close();
  await new Promise((resolve) => server.close(resolve));
});

function stacked() {
  const counted: Array<number | 'error'> = [];
  const forRequest: Array<number | 'error'> = [];
  const traces: TracedCall[] = [];
  const observed = observedHttp(http, (status) => counted.push(status));
  const perRequest = withRequestRecorder(observed, (status) => forRequest.push(status));
  const traced = tracedHttp(perRequest, (call) => traces.push(call), []);
  return { views: { observed, perRequest, traced }, counted, forRequest, traces };
}

describe('dispatcher views', () => {
  it("pass undici's request() (the older handler API) and vendorRequest (the current one) through every view", async () => {
    for (const name of ['observed', 'perRequest', 'traced'] as const) {
      const { views, counted, forRequest, traces } = stacked();
      const dispatcher = views[name].dispatcher();
      const old = await request(`${origin}/old`, { dispatcher, signal: AbortSignal.timeout(2000) });
      expect(old.statusCode, name).toBe(200);
      expect(await old.body.json(), name).toEqual({ path: '/old' });
      const current = await vendorRequest({ baseUrl: origin, dispatcher, timeoutMs: 2000, answerLimit: 1 << 20 }, 'GET', '/current');
      expect(current.status, name).toBe(200);
      expect(JSON.parse(current.bytes.toString()), name).toEqual({ path: '/current' });
      expect(counted, name).toEqual([200, 200]);
      expect(forRequest, name).toEqual(name === 'observed' ? [] : [200, 200]);
      expect(
        traces.map((t) => [t.url, t.status, t.responseBody]),
        name,
      ).toEqual(
        name === 'traced'
          ? [
              [`${origin}/old`, 200, '{"path":"/old"}'],
              [`${origin}/current`, 200, '{"path":"/current"}'],
            ]
          : [],
      );
    }
  });

  it('are dispatchers of their own, with no Proxy in their prototype chain, and close nothing of the pools behind them', async () => {
    const { views } = stacked();
    for (const view of Object.values(views)) {
      const dispatcher = view.dispatcher();
      expect(dispatcher).toBeInstanceOf(Dispatcher);
      for (let o: object | null = dispatcher; o !== null; o = Object.getPrototypeOf(o)) expect(types.isProxy(o)).toBe(false);
      await dispatcher.close();
      await dispatcher.destroy();
      await new Promise<void>((resolve) => dispatcher.close(resolve));
    }
    const after = await request(`${origin}/still-open`, { dispatcher: agent });
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { vendorRequest, VendorNetworkError } from '../../src/platform/vendor-http/vendor-request.ts';
import { VendorClient } from '../../src/platform/vendor-http/vendor-client.ts';

let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let misbehaving: Server;
let misbehavingUrl: string;
const agent = new Agent();

beforeAll(async () => {
  // Large enough for the credential check (serverInfo, myself), too small for an issue.
  server = await startTestServer({ SWITCHBOARD_VENDOR_ANSWER_LIMIT: '2048' });
  jira = await withEmulator();
  // A server that misbehaves below what the emulator does: huge answers and answers that trickle.
  misbehaving = createServer((req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"a":"');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const kb = 'x'.repeat(1024);
      let sent = 0;
      const more = () => {
        while (sent < 10_000 && res.write(kb)) sent++;
        if (sent < 10_000) res.once('drain', more);
      };
      more();
    } else if (req.url === '/error-page') {
      // A 500 whose page never ends: only its head is read for the message.
      res.writeHead(500, { 'content-type': 'text/html' });
      const kb = `<p>${'broken '.repeat(140)}</p>`;
      const more = () => {
        while (!res.destroyed && res.write(kb));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    } else if (req.url === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"fine":true}');
    }
  });
  await new Promise<void>((r) => misbehaving.listen(0, '127.0.0.1', r));
  misbehavingUrl = `http://127.0.0.1:${(misbehaving.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await server.close();
  await jira.close();
  misbehaving.closeAllConnections();
  await new Promise((r) => misbehaving.close(r));
  await agent.close();
});

const options = (timeoutMs = 5000) => ({ baseUrl: misbehavingUrl, dispatcher: agent, timeoutMs, answerLimit: 64 * 1024 });
async function failure(path: string, timeoutMs?: number): Promise<{ error: VendorNetworkError; ms: number }> {
  const started = Date.now();
  const error = await vendorRequest(options(timeoutMs), 'GET', path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VendorNetworkError);
  return { error: error as VendorNetworkError, ms: Date.now() - started };
}

describe('limits on what Jira sends back', () => {
  it('refuses an answer larger than the limit, declared or chunked, without reading it all', async () => {
    const declared = await failure('/declared');
    expect(declared.error.cause_).toBe('too-large');
    expect(declared.error.message).toMatch(/larger than 65536 bytes \(SWITCHBOARD_VENDOR_ANSWER_LIMIT\)/);
    expect((await failure('/chunked')).error.cause_).toBe('too-large');
    expect((await vendorRequest(options(), 'GET', '/fine')).text).toBe('{"fine":true}');
  });

  it('a streamed download over the limit fails, closes the vendor answer and leaves no uncaught error', async () => {
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', record);
    try {
      const client = new VendorClient(options(), { name: 'Vendor', errorText: () => undefined, ownsAnswer: () => true });
      await expect(client.stream('/declared')).rejects.toThrow(/larger than 65536 bytes/);
      const chunked = await client.stream('/chunked');
      await expect(chunked.body.toArray()).rejects.toThrow(/larger than 65536 bytes/);
      await expect(client.stream('/error-page')).rejects.toMatchObject({ status: 502, extras: { providerMessage: expect.stringMatching(/^broken broken/) } });
      // An AbortError of a dropped body surfaces on a later turn of the event loop.
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('ends an answer that trickles in past the time limit, although no pause is long', async () => {
    const { error, ms } = await failure('/trickle', 400);
    expect(error.cause_).toBe('timeout');
    expect(ms).toBeLessThan(3000);
  });

  it('a hub call whose Jira answer is over the limit is a 502 that names the setting', async () => {
    const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'limits' });
    const res = await call(`${server.api}/hubs/helpdesk/incidents/CE-1`, { headers: { authorization: `${server.auth}, Element ${created.token}` } });
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/Jira's answer to GET \/rest\/api\/2\/issue\/CE-1 cannot be read: .*SWITCHBOARD_VENDOR_ANSWER_LIMIT/);
    expect(res.body.requestId).toEqual(expect.any(String));
    // Attachment bytes are streamed, and bounded by the same limit.
    const issue = (await jira.jira.get('/rest/api/2/issue/CE-2')).body;
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(10_000, 97)], { type: 'text/plain' }), 'big.txt');
    const attached = await jira.jira.request('POST', `/rest/api/2/issue/${issue.key}/attachments`, {
      body: form,
      headers: { 'X-Atlassian-Token': 'no-check' },
    });
    const download = await call(`${server.api}/hubs/helpdesk/attachments/${attached.body[0].id}`, {
      headers: { authorization: `${server.auth}, Element ${created.token}`, accept: 'application/octet-stream' },
    });
    expect(download.status).toBe(502);
    expect(download.body.message).toMatch(/larger than 2048 bytes \(SWITCHBOARD_VENDOR_ANSWER_LIMIT\)/);
  });
});

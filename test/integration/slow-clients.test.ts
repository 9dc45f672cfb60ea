import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SWITCHBOARD_REQUEST_TIMEOUT_MS: '2000' });
});
afterAll(async () => {
  await server.close();
});

/** A raw connection, with what the server sent and when it closed. */
function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const { hostname, port } = new URL(server.api);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const started = Date.now();
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('error', () => {});
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

const headOf = (path: string, headers: string[]) =>
  `POST ${new URL(server.api).pathname}${path} HTTP/1.1\r\nHost: localhost\r\n${headers.join('\r\n')}\r\n\r\n`;

describe('clients that send slowly or send what will not be read', () => {
  it('answers a request without credentials at once and closes it without reading the 10 MB it announces', async () => {
    const c = await open();
    c.socket.write(headOf('/instances', ['Content-Type: application/json', 'Content-Length: 10000000']));
    c.socket.write('{"a":');
    const ms = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(ms).toBeLessThan(1500);
  });

  // Under SWITCHBOARD_BODY_LIMIT, so that the size alone does not end it.
  it('closes an authenticated request whose body trickles in past SWITCHBOARD_REQUEST_TIMEOUT_MS', async () => {
    const c = await open();
    c.socket.write(headOf('/instances', [`Authorization: ${server.auth}`, 'Content-Type: application/json', 'Content-Length: 500000']));
    const timer = setInterval(() => c.socket.writable && c.socket.write(' '), 200);
    const ms = await c.closed.finally(() => clearInterval(timer));
    // Node answers 408 when it can; either way the socket is gone soon after the limit.
    expect(c.received()).toMatch(/^(HTTP\/1\.1 408 |)/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(2000 + 2000);
  });

  it('closes a connection whose headers never end', async () => {
    const c = await open();
    c.socket.write(`GET ${new URL(server.api).pathname}/elements HTTP/1.1\r\nHost: localhost\r\n`);
    const timer = setInterval(() => c.socket.writable && c.socket.write('X-Slow: 1\r\n'), 200);
    const ms = await c.closed.finally(() => clearInterval(timer));
    expect(ms).toBeLessThan(2000 + 2000);
  });

  it('keeps serving while 200 such sockets are held open', async () => {
    const held = await Promise.all(Array.from({ length: 200 }, () => open()));
    for (const c of held) c.socket.write(headOf('/instances', [`Authorization: ${server.auth}`, 'Content-Type: application/json', 'Content-Length: 500000']));
    const res = await fetch(`${server.api}/elements`, { headers: { authorization: server.auth } });
    expect(res.status).toBe(200);
    const closed = await Promise.all(held.map((c) => c.closed));
    expect(Math.min(...closed)).toBeGreaterThanOrEqual(1900);
    expect(Math.max(...closed)).toBeLessThan(2000 + 2000);
  });
});

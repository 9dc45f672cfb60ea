import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/** A callback endpoint for notifications: records every POST; its answer can be scripted. */
export async function startReceiver() {
  const received: Received[] = [];
  let respond: (r: Received, n: number) => { status: number; headers?: Record<string, string>; hang?: boolean; delayMs?: number } = () => ({ status: 200 });
  let answered = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body, json: body ? JSON.parse(body) : null, at: Date.now() };
      received.push(r);
      const answer = respond(r, received.length);
      if (answer.hang) return;
      const send = () => {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('ok');
        answered++;
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    received,
    /** Requests answered so far (a delayed answer counts once it is sent). */
    answered: () => answered,
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    async waitFor(check: (all: Received[]) => boolean, ms = 15_000) {
      const end = Date.now() + ms;
      while (!check(received)) {
        if (Date.now() > end) throw new Error(`receiver timed out with ${received.length} requests`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

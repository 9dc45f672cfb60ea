/**
 * The cheapest thing that can stand where switchboard stands: `node:http` in, one undici
 * keep-alive agent out, the answer's body piped through untouched. It does no authentication,
 * routing, logging or mapping, so on the same cores it is the limit a proxy can reach, and
 * `bench:hub` measures switchboard against it in the same run.
 *
 * Run: node --import tsx bench/bare-proxy.ts <target origin>   (prints "bare proxy ready at <url>")
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

const target = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAliveTimeout: 30_000 });
// Headers that describe one hop of the connection, not the message.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function forwarded(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') out[name] = value;
  }
  return out;
}

const server = createServer((req, res) => {
  const method = req.method as Dispatcher.HttpMethod;
  agent.stream(
    { origin: target.origin, path: req.url!, method, headers: forwarded(req.headers), body: method === 'GET' || method === 'HEAD' ? undefined : req },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwarded(headers));
      return res;
    },
    (err) => {
      if (err && !res.headersSent) res.writeHead(502).end();
      else if (err) res.destroy();
    },
  );
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`bare proxy ready at http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
const stop = () => server.close(() => void agent.close());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

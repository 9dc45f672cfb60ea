/**
 * The least a Fastify server can do where switchboard stands: one route with a path parameter,
 * one undici keep-alive request to the vendor, the answer's body read whole and sent as it came.
 * No hooks, schemas, logging, authentication or null filtering. `bench:hub` measures it beside
 * the bare proxy (bench/bare-proxy.ts) and switchboard, so that each run shows how much of
 * switchboard's cost over the bare proxy is the framework's floor and how much its own work.
 *
 * Run: node --import tsx bench/fastify-proxy.ts <target origin>   (prints "fastify proxy ready at <url>")
 */
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const target = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAliveTimeout: 30_000 });
const app = Fastify({ logger: false });

app.get<{ Params: { key: string } }>('/rest/api/2/issue/:key', async (req, reply) => {
  const { authorization, accept } = req.headers;
  const res = await request(`${target.origin}/rest/api/2/issue/${encodeURIComponent(req.params.key)}`, {
    dispatcher: agent,
    headers: { ...(authorization && { authorization }), ...(accept && { accept }) },
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return reply
    .code(res.statusCode)
    .type(String(res.headers['content-type'] ?? 'application/json'))
    .send(body);
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`fastify proxy ready at ${address}`);
const stop = () => void app.close().then(() => agent.close());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

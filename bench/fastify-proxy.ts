/**
 * The least a Fastify server can do where switchboard stands: one route with a path parameter,
 * one call to the vendor through switchboard's own `vendorRequest` (undici's dispatcher with a
 * handler that collects the answer), the body sent as it came. No hooks, schemas, logging,
 * authentication or null filtering. `bench:hub` measures it beside the bare proxy
 * (bench/bare-proxy.ts) and switchboard, so that each run shows how much of switchboard's cost
 * over the bare proxy is the framework's floor and how much its own work.
 *
 * Run: node --import tsx bench/fastify-proxy.ts <target origin>   (prints "fastify proxy ready at <url>")
 */
import Fastify from 'fastify';
import { Agent } from 'undici';
import { targetOf, type VendorHttpOptions, vendorRequest } from '../src/platform/vendor-http/vendor-request.ts';

const agent = new Agent({ keepAliveTimeout: 30_000 });
const baseUrl = process.argv[2] ?? '';
// As switchboard's elements make them: the target worked out once, not per call.
const vendor: VendorHttpOptions = { baseUrl, target: targetOf(baseUrl), dispatcher: agent, timeoutMs: 30_000, answerLimit: 128 * 1024 * 1024 };
const app = Fastify({ logger: false });

app.get<{ Params: { key: string } }>('/rest/api/2/issue/:key', async (req, reply) => {
  const { authorization } = req.headers;
  const answer = await vendorRequest(vendor, 'GET', `/rest/api/2/issue/${encodeURIComponent(req.params.key)}`, undefined, {
    ...(authorization && { authorization }),
  });
  return reply
    .code(answer.status)
    .type(answer.contentType || 'application/json')
    .send(answer.bytes);
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`fastify proxy ready at ${address}`);
const stop = () => void app.close().then(() => agent.close());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

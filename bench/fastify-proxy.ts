/**
 * The least a Fastify server can do where switchboard stands: one route with a path parameter,
 * one call to the vendor through undici's dispatcher with a handler that collects the answer (the
 * way switchboard calls a vendor: `src/platform/vendor-http/vendor-request.ts`), the body sent as
 * it came. No hooks, schemas, logging, authentication or null filtering. `bench:hub` measures it
 * beside the bare proxy (bench/bare-proxy.ts) and switchboard, so that each run shows how much of
 * switchboard's cost over the bare proxy is the framework's floor and how much its own work.
 *
 * Run: node --import tsx bench/fastify-proxy.ts <target origin>   (prints "fastify proxy ready at <url>")
 */
import Fastify from 'fastify';
import { Agent, type Dispatcher } from 'undici';

type Headers = Record<string, string | string[] | undefined>;
interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** Collects one answer in memory. */
class Collecting implements Dispatcher.DispatchHandler {
  #status = 0;
  #headers: Headers = {};
  readonly #chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.resolve({ status: this.#status, headers: this.#headers, body: Buffer.concat(this.#chunks) });
  }

  onResponseError(_controller: unknown, err: Error): void {
    this.reject(err);
  }
}

const target = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAliveTimeout: 30_000 });
const app = Fastify({ logger: false });

app.get<{ Params: { key: string } }>('/rest/api/2/issue/:key', async (req, reply) => {
  const { authorization, accept } = req.headers;
  const answer = await new Promise<Answer>((resolve, reject) =>
    agent.dispatch(
      {
        origin: target.origin,
        path: `/rest/api/2/issue/${encodeURIComponent(req.params.key)}`,
        method: 'GET',
        headers: { ...(authorization && { authorization }), ...(accept && { accept }) },
      },
      new Collecting(resolve, reject),
    ),
  );
  return reply
    .code(answer.status)
    .type(String(answer.headers['content-type'] ?? 'application/json'))
    .send(answer.body);
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`fastify proxy ready at ${address}`);
const stop = () => void app.close().then(() => agent.close());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

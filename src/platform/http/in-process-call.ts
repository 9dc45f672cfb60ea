import type { FastifyInstance, InjectOptions } from 'fastify';

/** One call of this API made inside the process: an asynchronous hub call, a scheduled job's call. */
export interface InProcessCall {
  method: string;
  /** The path and query. */
  url: string;
  headers: Record<string, string>;
  /** A JSON body, as text. */
  payload?: string | undefined;
}

export interface InProcessAnswer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Makes the call inside this process, through every hook and route a call over the network takes. */
export type Inject = (call: InProcessCall) => Promise<InProcessAnswer>;

/** `Inject` for `app`: its calls are authenticated, validated, logged and recorded as any other. */
export function injectInto(app: FastifyInstance): Inject {
  return async (call) => {
    const res = await app.inject({
      method: call.method as InjectOptions['method'],
      url: call.url,
      headers: call.headers,
      ...(call.payload !== undefined && { payload: call.payload }),
    });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  };
}

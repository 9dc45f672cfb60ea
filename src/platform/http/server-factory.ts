import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/** Takes a request and answers it (true), or leaves it to Fastify (false) untouched. */
export type AheadOfFastify = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What Fastify hands its `serverFactory`, its defaults filled in (fastify.js). */
interface ServerFactoryOptions {
  http?: ServerOptions;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

/**
 * Fastify's `serverFactory`: the HTTP server Fastify makes for itself (lib/server.js), whose
 * requests go to `ahead` first. The server's timeouts are the ones Fastify would set, so a
 * request either takes is bounded alike.
 */
export function serverAhead(ahead: AheadOfFastify): FastifyServerFactory {
  return (handler, opts) => {
    const options: ServerFactoryOptions = opts;
    const server = createServer(options.http ?? {}, (req, res) => {
      if (!ahead(req, res)) handler(req, res);
    });
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionCloser {
  /** From now until the server has closed, ends each connection as soon as it has nothing to answer. */
  closeAsTheyIdle(): void;
}

/**
 * Keeps a server's close from waiting on connections that have nothing to answer. Made with the
 * server, before it listens, because it must see every connection arrive.
 *
 * Node's `server.close()`, like Fastify's `forceCloseConnections: 'idle'`, closes only the
 * connections idle at that moment. Two kinds escaped it, and the close waited for their clients:
 * - a connection whose call was still being answered stayed open after its answer, for the
 *   keep-alive timeout (72 s), so a shutdown with one call in flight took over a minute;
 * - a connection that has not sent a byte yet (a browser's preconnect, a balancer's spare) is
 *   not idle to Node, and no timeout of Node's applies to it: the close waited until the client
 *   gave it up, which it need never do.
 */
export function connectionCloser(server: Server, everyMs = 50): ConnectionCloser {
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const sweep = () => {
    server.closeIdleConnections();
    // Nothing read means no call begun: the client learns of the close before it sends one.
    for (const socket of connections) if (socket.bytesRead === 0) socket.destroy();
  };
  return {
    closeAsTheyIdle() {
      if (!server.listening) return;
      sweep();
      const timer = setInterval(sweep, everyMs);
      timer.unref();
      server.once('close', () => clearInterval(timer));
    },
  };
}

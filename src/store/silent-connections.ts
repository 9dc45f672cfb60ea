import type { Socket } from 'node:net';
import type pg from 'pg';

/**
 * The error a connection is ended with when its database stays silent: `ETIMEDOUT`, so that it
 * reads as a database that cannot be reached (a 503), as the kernel's own timeout would.
 */
function silenceError(ms: number): Error {
  return Object.assign(new Error(`the database did not answer within ${ms} ms; the connection was closed`), { code: 'ETIMEDOUT' });
}

/** The socket under a node-postgres connection (a TLS socket once the connection is encrypted). */
function socketOf(client: pg.ClientBase): Socket {
  return (client as pg.Client).connection.stream as Socket;
}

/**
 * Ends a pool's connection that stays silent for `ms` while a caller holds it. A database whose
 * host is gone without a reset (a failed-over primary, a partition) leaves a query waiting until
 * the kernel gives up retransmitting, about a quarter of an hour; every connection that sent a
 * query would be lost that long, and the pool with them. node-postgres' own `query_timeout`
 * fails the query but keeps the connection busy behind it, so the next caller waits too.
 * Ending the socket fails the query with `ETIMEDOUT` and the pool replaces the connection.
 *
 * The watch is on only while a caller holds the connection: an idle pooled connection is silent
 * by nature and the pool closes it after its idle timeout. It is off for connections taken while
 * `watching()` is false: the start-up work, whose migrations may run long and whose lock waits
 * for other nodes' start-ups.
 */
export function endSilentConnections(pool: pg.Pool, ms: number, watching: () => boolean): void {
  pool.on('connect', (client) => {
    const socket = socketOf(client);
    socket.on('timeout', () => socket.destroy(silenceError(ms)));
  });
  pool.on('acquire', (client) => {
    if (watching()) socketOf(client).setTimeout(ms);
  });
  pool.on('release', (_err, client) => socketOf(client).setTimeout(0));
}

/**
 * Runs `query` on a dedicated client whose socket must not stay silent for `ms` meanwhile: the
 * same rule as `endSilentConnections`, for a client outside the pool.
 */
export async function withinSilence<T>(client: pg.Client, ms: number, query: () => Promise<T>): Promise<T> {
  const socket = socketOf(client);
  const end = (): void => void socket.destroy(silenceError(ms));
  socket.setTimeout(ms, end);
  try {
    return await query();
  } finally {
    socket.setTimeout(0);
    socket.off('timeout', end);
  }
}

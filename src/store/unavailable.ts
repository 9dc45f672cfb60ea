/**
 * SQLSTATEs of a PostgreSQL that cannot serve now: connection exceptions (class 08), shutdowns,
 * a full disk, no memory, too many connections, and a read-only database (a standby, or a primary
 * demoted by a failover).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53[123]00|25006)$/;
/** SQLite's codes (extended ones included) of a file that is locked past the busy timeout, full, or read-only. */
const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|FULL|READONLY)(_[A-Z]+)?$/;
/** Socket errors of a database connection that could not be made or was lost. */
const UNAVAILABLE_SOCKET: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What node-postgres says, without a code, when a connection ends or cannot be had in time. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether a database error says the database cannot serve now (down, restarting, out of
 * connections or disk, read-only, or SQLite's file locked past its busy timeout) rather than that
 * the query was wrong: the call may succeed if made again, so it is a 503, not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code) || UNAVAILABLE_SQLITE.test(code))) return true;
  return UNAVAILABLE_MESSAGE.test(err.message);
}

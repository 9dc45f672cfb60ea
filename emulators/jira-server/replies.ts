import type { FastifyReply } from 'fastify';

/** Jira's `ErrorCollection`. */
export function jiraError(reply: FastifyReply, status: number, errorMessages: string[], errors: Record<string, string> = {}): FastifyReply {
  return reply.code(status).type('application/json;charset=UTF-8').send({ errorMessages, errors });
}

export const notFoundIssue = (reply: FastifyReply) => jiraError(reply, 404, ['Issue Does Not Exist']);

/** Jersey's own 404: no resource for the URI, or a parameter it could not convert (`maxResults=abc`). */
export function uriNotFound(reply: FastifyReply, fullUrl: string): FastifyReply {
  return reply
    .code(404)
    .type('application/json;charset=UTF-8')
    .send({ message: `null for uri: ${fullUrl}`, 'status-code': 404 });
}

/** Thrown where Jersey could not convert a query parameter to the method's type: it answers 404. */
export class UnconvertibleParameter extends Error {
  readonly statusCode = 404;
}

/** An integer query parameter as Jersey converts it: absent, or a Java int; anything else is a 404. */
export function intParam(query: Record<string, string | undefined>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const n = /^[+-]?\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647 || n < -2_147_483_648) throw new UnconvertibleParameter(`${name}=${raw}`);
  return n;
}

/** Jackson's words for a JSON array where Jira expects an object bean. */
export const startArrayMessage = (bean: string) =>
  `Can not deserialize instance of ${bean} out of START_ARRAY token\n at [Source: org.apache.catalina.connector.CoyoteInputStream@5f1b3c2a; line: 1, column: 1]`;

/** The HTML Seraph sends on basic-auth failures (not JSON: clients must cope). */
export function seraphHtml(reason: string): string {
  return `<!DOCTYPE html>\n<html><head><title>Unauthorized (401)</title></head><body>\n<h1>Basic Authentication Failure - Reason : ${reason}</h1>\n</body></html>\n`;
}

/** Jira's generic HTML error page, used by injected faults and proxies. */
export function errorPageHtml(status: number): string {
  return `<!DOCTYPE html>\n<html><head><title>Oops, you've found a dead link. - JIRA</title></head><body>\n<h1>System Error</h1><p>HTTP ${status}</p>\n</body></html>\n`;
}

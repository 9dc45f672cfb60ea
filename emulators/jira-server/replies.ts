import type { FastifyReply } from 'fastify';

/** Jira's `ErrorCollection`. */
export function jiraError(reply: FastifyReply, status: number, errorMessages: string[], errors: Record<string, string> = {}): FastifyReply {
  return reply.code(status).type('application/json;charset=UTF-8').send({ errorMessages, errors });
}

export const notFoundIssue = (reply: FastifyReply) => jiraError(reply, 404, ['Issue Does Not Exist']);

/** The HTML Seraph sends on basic-auth failures (not JSON: clients must cope). */
export function seraphHtml(reason: string): string {
  return `<!DOCTYPE html>\n<html><head><title>Unauthorized (401)</title></head><body>\n<h1>Basic Authentication Failure - Reason : ${reason}</h1>\n</body></html>\n`;
}

/** Jira's generic HTML error page, used by injected faults and proxies. */
export function errorPageHtml(status: number): string {
  return `<!DOCTYPE html>\n<html><head><title>Oops, you've found a dead link. - JIRA</title></head><body>\n<h1>System Error</h1><p>HTTP ${status}</p>\n</body></html>\n`;
}

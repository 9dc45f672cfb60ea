import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { Issue } from '../state/model.ts';
import { caller } from '../server.ts';
import { intParam, notFoundIssue, jiraError } from '../replies.ts';
import { ValidationError } from '../state/domain.ts';

/** The issue named by `:issueIdOrKey` if the caller may browse it; otherwise answers 404 as Jira does. */
export function visibleIssue(em: Emulator, request: FastifyRequest, reply: FastifyReply): Issue | undefined {
  const { issueIdOrKey } = request.params as { issueIdOrKey: string };
  const issue = em.state.issueByIdOrKey(issueIdOrKey);
  if (!issue || !em.state.canBrowse(caller(request), em.state.projects.get(issue.fields.project)!)) {
    notFoundIssue(reply);
    return undefined;
  }
  return issue;
}

/** Runs a domain mutation, answering Jira's 400 ErrorCollection on validation failures. */
export function mutate<T>(reply: FastifyReply, work: () => T): T | undefined {
  try {
    return work();
  } catch (err) {
    if (err instanceof ValidationError) {
      jiraError(reply, 400, err.errorMessages, err.errors);
      return undefined;
    }
    throw err;
  }
}

/** Admin-only resources answer 403 to everyone else. */
export function requireAdmin(
  em: Emulator,
  request: FastifyRequest,
  reply: FastifyReply,
  message = 'You do not have the permission to perform this operation.',
): boolean {
  if (em.state.isAdmin(caller(request))) return true;
  jiraError(reply, 403, [message]);
  return false;
}

/** JSON bodies must be objects where Jira reads fields from them. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  return b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

export function pageParams(query: Record<string, string | undefined>, defaultMax: number, cap: number): { startAt: number; maxResults: number } {
  const startAt = Math.max(0, intParam(query, 'startAt') ?? 0);
  const requested = intParam(query, 'maxResults') ?? defaultMax;
  const maxResults = requested < 0 ? defaultMax : Math.min(requested, cap);
  return { startAt, maxResults };
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { User } from '../state/model.ts';
import { caller } from '../server.ts';
import { intParam } from '../replies.ts';
import { parseJql, JqlSyntaxError } from '../jql/parser.ts';
import { compileQuery, JqlError } from '../jql/compile.ts';
import { issueBean, listParam } from '../serialize/issue.ts';
import { transitionsFor } from './issues.ts';

interface SearchInput {
  jql: string;
  startAt: number;
  maxResults: number | undefined;
  fields: string[];
  expand: string[];
  validateQuery: boolean;
}

/**
 * JQL search, GET and POST (jira-server.md §4.2): default page 50, silent clamp at the search cap
 * echoed in `maxResults`, exact `total`; JQL errors as 400 with `errorMessages` and
 * `warningMessages` (and no `errors`).
 */
export function runSearch(em: Emulator, user: User, input: SearchInput, reply: FastifyReply) {
  const warnings: string[] = [];
  let compiled: ReturnType<typeof compileQuery>;
  try {
    compiled = compileQuery(parseJql(input.jql), { state: em.state, user, now: em.clock.now(), validate: input.validateQuery, warnings });
  } catch (err) {
    if (err instanceof JqlSyntaxError || err instanceof JqlError) {
      return reply
        .code(400)
        .type('application/json;charset=UTF-8')
        .send({ errorMessages: [err.message], warningMessages: [] });
    }
    throw err;
  }
  const browsable = new Set([...em.state.projects.values()].filter((p) => em.state.canBrowse(user, p)).map((p) => p.id));
  const visible = [];
  for (const i of em.state.issues.values()) if (browsable.has(i.fields.project) && compiled.where(i)) visible.push(i);
  visible.sort(compiled.order);
  const maxResults = Math.min(input.maxResults ?? 50, em.config.searchMax);
  const page = visible.slice(input.startAt, input.startAt + maxResults);
  const ser = em.serializer();
  const body: Record<string, unknown> = {
    expand: 'schema,names',
    startAt: input.startAt,
    maxResults,
    total: visible.length,
    issues: page.map((issue) =>
      issueBean(
        ser,
        issue,
        {
          fields: input.fields,
          expand: input.expand,
          // Search takes no `properties` (jira-server.md §4.2; get-issue does): none come back.
          properties: [],
          viewerKey: user.key,
          transitions: () => transitionsFor(em, issue),
        },
        '*navigable',
      ),
    ),
  };
  if (warnings.length) body.warningMessages = warnings;
  return body;
}

export function registerSearchRoutes(app: FastifyInstance, em: Emulator): void {
  // https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/search-search
  app.get('/rest/api/2/search', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const startAt = intParam(q, 'startAt') ?? 0;
    const max = intParam(q, 'maxResults');
    return runSearch(
      em,
      caller(request),
      {
        jql: q.jql ?? '',
        startAt: Math.max(startAt, 0),
        maxResults: max === undefined || max < 0 ? undefined : max,
        fields: listParam(q.fields),
        expand: listParam(q.expand),
        validateQuery: q.validateQuery !== 'false' && q.validateQuery !== 'warn',
      },
      reply,
    );
  });

  app.post('/rest/api/2/search', async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, unknown>;
    const startAt = typeof b.startAt === 'number' && b.startAt >= 0 ? Math.floor(b.startAt) : 0;
    const max = typeof b.maxResults === 'number' && b.maxResults >= 0 ? Math.floor(b.maxResults) : undefined;
    return runSearch(
      em,
      caller(request),
      {
        jql: typeof b.jql === 'string' ? b.jql : '',
        startAt,
        maxResults: max,
        fields: listParam(b.fields),
        expand: listParam(b.expand),
        validateQuery: b.validateQuery !== false && b.validateQuery !== 'warn' && b.validateQuery !== 'false',
      },
      reply,
    );
  });
}

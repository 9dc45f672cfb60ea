import type { HubContext, HubOperation, HubRequest } from '../../../hubs/hub-contract.ts';
import { pageInMemory } from '../../../hubs/paging.ts';
import { ApiError, badRequest } from '../../../platform/errors.ts';
import { issuePath, readIssue } from './issues.ts';
import { RedmineApi, enc, objectBody } from './redmine-api.ts';

interface Journal {
  id: number;
  user?: { id: number; name?: string };
  notes?: string | null;
  created_on?: string;
  private_notes?: boolean;
  details?: unknown[];
}

const hasNotes = (j: Journal) => typeof j.notes === 'string' && j.notes !== '';

async function journalsOf(api: RedmineApi, issueId: string): Promise<Journal[]> {
  return ((await readIssue(api, issueId, 'journals')).journals as Journal[] | undefined) ?? [];
}

/** One journal of the issue: a journal id of another issue is a 404 here, not a way to reach it. */
async function journalOf(api: RedmineApi, req: HubRequest, param: string, comment: boolean): Promise<Journal> {
  const id = req.params[param]!;
  const journal = (await journalsOf(api, req.params.id!)).find((j) => String(j.id) === id && (!comment || hasNotes(j)));
  if (!journal) throw new ApiError('NOT_FOUND', `Issue ${req.params.id} has no ${comment ? 'comment' : 'history entry'} ${id}`);
  return journal;
}

function notesOf(body: unknown): { notes: string; private_notes?: boolean } {
  const b = objectBody(body, '{"notes": "…"}');
  if (typeof b.notes !== 'string' || b.notes.trim() === '') throw badRequest('A comment needs notes: {"notes": "…"}');
  return { notes: b.notes, ...(typeof b.private_notes === 'boolean' && { private_notes: b.private_notes }) };
}

const userIdOf = (ctx: HubContext) => (ctx.instance.vendorMeta.user as { id?: number } | undefined)?.id;

/**
 * Comments are the issue's journals with notes; history is every journal, with its details
 * (https://www.redmine.org/projects/redmine/wiki/Rest_IssueJournals). A comment is written as
 * the issue's `notes`, changed and removed through `/journals/{id}.json` (a journal whose notes
 * are emptied and that records no change is deleted by Redmine).
 */
export const journalOperations: HubOperation[] = [
  {
    method: 'GET',
    path: 'incidents/:id/comments',
    list: true,
    async handle(req, ctx) {
      return pageInMemory((await journalsOf(new RedmineApi(ctx), req.params.id!)).filter(hasNotes), req);
    },
  },
  {
    method: 'POST',
    path: 'incidents/:id/comments',
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      const note = notesOf(req.body);
      await api.put(issuePath(req.params.id!), { issue: note });
      // Redmine answers 204: the comment is the newest journal of this user with these notes.
      const me = userIdOf(ctx);
      const mine = (await journalsOf(api, req.params.id!)).filter((j) => j.notes === note.notes && (me === undefined || j.user?.id === me));
      const created = mine.reduce<Journal | undefined>((newest, j) => (newest && newest.id > j.id ? newest : j), undefined);
      if (!created) throw new ApiError('PROVIDER_ERROR', `Redmine took the comment on issue ${req.params.id} but does not list it`);
      return { kind: 'object', body: created };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/comments/:commentId',
    async handle(req, ctx) {
      return { kind: 'object', body: await journalOf(new RedmineApi(ctx), req, 'commentId', true) };
    },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): HubOperation => ({
      method,
      path: 'incidents/:id/comments/:commentId',
      async handle(req, ctx) {
        const api = new RedmineApi(ctx);
        const journal = await journalOf(api, req, 'commentId', true);
        await api.put(`/journals/${enc(String(journal.id))}.json`, { journal: notesOf(req.body) });
        return { kind: 'object', body: await journalOf(api, req, 'commentId', true) };
      },
    }),
  ),
  {
    method: 'DELETE',
    path: 'incidents/:id/comments/:commentId',
    async handle(req, ctx) {
      const api = new RedmineApi(ctx);
      const journal = await journalOf(api, req, 'commentId', true);
      await api.put(`/journals/${enc(String(journal.id))}.json`, { journal: { notes: '' } });
      return { kind: 'empty' };
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/history',
    list: true,
    async handle(req, ctx) {
      return pageInMemory(await journalsOf(new RedmineApi(ctx), req.params.id!), req);
    },
  },
  {
    method: 'GET',
    path: 'incidents/:id/history/:historyId',
    async handle(req, ctx) {
      return { kind: 'object', body: await journalOf(new RedmineApi(ctx), req, 'historyId', false) };
    },
  },
];

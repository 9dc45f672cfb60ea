import { ApiError } from '../../platform/errors.ts';
import type { HubContext } from '../../hubs/hub-contract.ts';
import type { ElementEvents, PollResult, VendorEvent, WebhookDelivery, WebhookIntake } from '../../hubs/event-contract.ts';
import { type ChangedSinceSource, pollChangedSince } from '../../hubs/changed-since-poll.ts';
import { JiraApi } from './hub/jira-api.ts';
import { jiraDateMs, jqlDateTime, jqlString } from './hub/ceql-to-jql.ts';

interface Issue {
  id: string;
  key: string;
  self?: string;
  fields: { created?: string; updated?: string };
}
interface Search {
  startAt: number;
  maxResults: number;
  total: number;
  issues: Issue[];
}
/** Minutes looked back before the cursor: covers Jira's minute precision and clock skew. */
const OVERLAP_MS = 2 * 60_000;
const CREATED_TOLERANCE_MS = 1_000;

const zoneOf = (ctx: HubContext) => String((ctx.instance.vendorMeta.user as { timeZone?: string } | undefined)?.timeZone ?? 'UTC');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Polling per jira-server.md §9 (`pollChangedSince`): `updated >= "<cursor − overlap>"` in the
 * Jira user's zone at minute precision, `ORDER BY updated ASC, key ASC`. The cursor is the newest
 * `updated` Jira reported, and the first poll starts from Jira's own `serverTime`.
 */
function poll(ctx: HubContext, objects: string[], cursor: unknown): Promise<PollResult> {
  const api = new JiraApi(ctx);
  const incidents: ChangedSinceSource<Issue> = {
    overlapMs: OVERLAP_MS,
    createdToleranceMs: CREATED_TOLERANCE_MS,
    async firstSince() {
      const info = await api.get<{ serverTime?: string }>('/rest/api/2/serverInfo');
      return jiraDateMs(info.serverTime) ?? Date.now();
    },
    async page(fromMs, startAt, maxResults) {
      const jql = `updated >= ${jqlString(jqlDateTime(fromMs, zoneOf(ctx)))} ORDER BY updated ASC, key ASC`;
      const page = await api.get<Search>(`/rest/api/2/search?jql=${encodeURIComponent(jql)}&startAt=${startAt}&maxResults=${maxResults}`);
      return { items: page.issues, total: page.total };
    },
    read: (issue) => ({
      id: issue.id,
      updatedMs: jiraDateMs(issue.fields.updated),
      createdMs: jiraDateMs(issue.fields.created),
      version: issue.fields.updated ?? '',
    }),
  };
  return pollChangedSince({ incidents }, objects, cursor);
}

const WEBHOOK_TYPES: ReadonlyMap<string, VendorEvent['eventType']> = new Map([
  ['jira:issue_created', 'CREATED'],
  ['jira:issue_updated', 'UPDATED'],
  ['jira:issue_deleted', 'DELETED'],
]);

/**
 * Jira webhook bodies (jira-server.md §5.3): issue events become incident events; comment and
 * worklog events produce none, because Jira also sends `jira:issue_updated` for them. A body whose
 * `self` is not under the instance's Jira is refused.
 */
function receive(ctx: HubContext, delivery: WebhookDelivery): { events: VendorEvent[]; payload: unknown } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    throw new ApiError('INVALID_JSON', 'A Jira webhook delivery is JSON; this body is not');
  }
  const events = fromWebhook(ctx, body);
  return events && { events, payload: body };
}

function fromWebhook(ctx: HubContext, body: unknown): VendorEvent[] | undefined {
  const b = body as { webhookEvent?: string; timestamp?: number; issue?: Issue } | null;
  if (!b || typeof b !== 'object' || typeof b.webhookEvent !== 'string') return undefined;
  const bases = [String(ctx.instance.configuration.siteAddress), String((ctx.instance.vendorMeta.jira as { baseUrl?: string } | null)?.baseUrl ?? '')].filter(
    Boolean,
  );
  const type = WEBHOOK_TYPES.get(b.webhookEvent);
  if (!type) return [];
  if (!b.issue?.id || !bases.some((base) => String(b.issue!.self ?? '').startsWith(`${base}/`))) return undefined;
  const at = typeof b.timestamp === 'number' ? b.timestamp : Date.now();
  // The same version a poll gives the same change (the issue's `updated`), so that a catch-up
  // poll and a webhook never both deliver it; a deletion has no `updated` a poll could see.
  const updated = b.issue.fields?.updated;
  const version = type !== 'DELETED' && typeof updated === 'string' ? updated : `${b.webhookEvent}:${at}`;
  return [{ eventType: type, objectType: 'incidents', objectId: b.issue.id, date: iso(at), version, object: b.issue }];
}

const major = (ctx: HubContext) => Number(((ctx.instance.vendorMeta.jira as { versionNumbers?: number[] } | null)?.versionNumbers ?? [10])[0]);
const EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'];

/**
 * Registers the intake URL in Jira with the admin API of its version line (9.x
 * `/rest/webhooks/1.0/webhook`, 10.x `/rest/jira-webhook/1.0/webhooks`). An existing registration
 * with the same URL is reused, so restarts never create duplicates. A 403 means the Jira user is no
 * administrator: the user registers the URL by hand.
 */
async function register(ctx: HubContext, url: string): Promise<string | undefined> {
  const api = new JiraApi(ctx);
  const v10 = major(ctx) >= 10;
  const path = v10 ? '/rest/jira-webhook/1.0/webhooks' : '/rest/webhooks/1.0/webhook';
  try {
    const existing = await api.get<{ id?: number; self?: string; url: string }[]>(path);
    const same = existing.find((h) => h.url === url);
    if (same) return String(same.id ?? same.self!.split('/').pop());
    const body = v10
      ? { name: `switchboard instance ${ctx.instance.id}`, url, events: EVENTS, active: true, configuration: { EXCLUDE_BODY: 'false' } }
      : { name: `switchboard instance ${ctx.instance.id}`, url, events: EVENTS, enabled: true, excludeBody: false };
    const created = await api.post<{ id?: number; self?: string }>(path, body);
    return String(created.id ?? created.self!.split('/').pop());
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'PROVIDER_FORBIDDEN' || err.code === 'NOT_FOUND')) return undefined;
    throw err;
  }
}

async function unregister(ctx: HubContext, id: string): Promise<void> {
  const path = major(ctx) >= 10 ? '/rest/jira-webhook/1.0/webhooks' : '/rest/webhooks/1.0/webhook';
  try {
    await new JiraApi(ctx).delete(`${path}/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) throw err;
  }
}

/**
 * Jira's webhook payload carries the whole issue, all its comments included; refusing one loses
 * the event (Jira 9 does not retry), so the intake takes up to 16 MiB. Jira Server can neither sign
 * nor add headers: the intake URL carries a secret.
 */
const webhook: WebhookIntake = { bodyLimit: 16 * 1024 * 1024, authentication: 'url-secret', receive };

export const jiraEvents: ElementEvents = { defaultObjects: ['incidents'], poll, webhook, register, unregister };

import { ApiError } from '../../platform/errors.ts';
import type { HubContext } from '../../hubs/hub-contract.ts';
import type { ElementEvents, PollResult, VendorEvent, WebhookDelivery, WebhookIntake } from '../../hubs/event-contract.ts';
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
/** `since`: newest change seen; `start`: when events began (nothing older is ever reported). */
type Cursor = Record<string, { since: number; start?: number }>;

/** Minutes looked back before the cursor: covers Jira's minute precision and clock skew. */
const OVERLAP_MS = 2 * 60_000;
const PAGE = 100;
/** Bound per poll; the cursor advances and the next poll continues. */
const MAX_PER_POLL = 5_000;
const CREATED_TOLERANCE_MS = 1_000;

const zoneOf = (ctx: HubContext) => String((ctx.instance.vendorMeta.user as { timeZone?: string } | undefined)?.timeZone ?? 'UTC');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Polling per jira-server.md §9: `updated >= "<cursor − overlap>"` in the Jira user's zone at
 * minute precision, `ORDER BY updated ASC, key ASC`, paging through everything. The cursor is
 * the newest `updated` Jira reported (Jira's clock, never ours), so a skewed clock or another
 * time zone cannot hide a change; the overlap re-reads recent changes, which the platform's
 * dedupe ledger drops.
 */
async function poll(ctx: HubContext, objects: string[], cursor: unknown): Promise<PollResult> {
  const api = new JiraApi(ctx);
  const next: Cursor = { ...((cursor as Cursor | null) ?? {}) };
  const events: VendorEvent[] = [];
  for (const object of objects) {
    if (object !== 'incidents') throw new ApiError('BAD_REQUEST', `Polling supports incidents, not ${object}`);
    let since = next.incidents?.since;
    if (since === undefined) {
      // First poll: start from Jira's own "now", so history is not replayed and no clock skew bites.
      const info = await api.get<{ serverTime?: string }>('/rest/api/2/serverInfo');
      since = jiraDateMs(info.serverTime) ?? Date.now();
      next.incidents = { since, start: since };
      continue;
    }
    const jql = `updated >= ${jqlString(jqlDateTime(since - OVERLAP_MS, zoneOf(ctx)))} ORDER BY updated ASC, key ASC`;
    const start = next.incidents?.start ?? 0;
    let newest = since;
    for (let startAt = 0; startAt < MAX_PER_POLL; ) {
      const page = await api.get<Search>(`/rest/api/2/search?jql=${encodeURIComponent(jql)}&startAt=${startAt}&maxResults=${PAGE}`);
      for (const issue of page.issues) {
        const updated = jiraDateMs(issue.fields.updated);
        const created = jiraDateMs(issue.fields.created);
        if (updated === undefined || updated < start) continue;
        newest = Math.max(newest, updated);
        events.push({
          eventType: created !== undefined && Math.abs(updated - created) <= CREATED_TOLERANCE_MS ? 'CREATED' : 'UPDATED',
          objectType: 'incidents',
          objectId: issue.id,
          date: iso(updated),
          version: issue.fields.updated!,
          object: issue,
        });
      }
      startAt += page.issues.length;
      if (page.issues.length === 0 || startAt >= page.total) break;
    }
    next.incidents = { since: newest, start };
  }
  return { events, cursor: next };
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

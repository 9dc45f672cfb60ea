import type { HubContext } from '../../../hubs/hub-contract.ts';
import type { JiraApi } from './jira-api.ts';
import { setOwn } from '../../../platform/own-properties.ts';

export interface JiraField {
  id: string;
  name: string;
  custom: boolean;
  orderable?: boolean;
  navigable?: boolean;
  searchable?: boolean;
  schema?: { type?: string; system?: string; custom?: string; customId?: number; items?: string };
}

const TTL_MS = 5 * 60_000;
const KEY = 'jira-fields';

/**
 * The instance's field list (`GET /rest/api/2/field`), cached a few minutes in the platform's
 * vendor-data cache: custom field ids differ between Jiras, so they are resolved by name from
 * here, never hard-coded.
 */
export function jiraFields(api: JiraApi, ctx: HubContext): Promise<JiraField[]> {
  return ctx.vendorData.get(KEY, TTL_MS, () => api.get<JiraField[]>('/rest/api/2/field'));
}

/** A field was created in Jira: every node reads the list again. */
export function forgetFields(ctx: HubContext): Promise<void> {
  return ctx.vendorData.invalidate(KEY);
}

/** `{"fields": {"Story Points": 5}}` → `{"fields": {"customfield_10102": 5}}`; ids and system fields pass unchanged. */
export function fieldsByName(body: unknown, fields: JiraField[]): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  const rename = (obj: unknown) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const byId = fields.some((f) => f.id === k);
      const byName = !byId ? fields.find((f) => f.custom && f.name === k) : undefined;
      setOwn(out, byName ? byName.id : k, v);
    }
    return out;
  };
  return { ...b, ...(b.fields !== undefined && { fields: rename(b.fields) }), ...(b.update !== undefined && { update: rename(b.update) }) };
}

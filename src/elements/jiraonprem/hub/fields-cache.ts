import type { JiraApi } from './jira-api.ts';

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
const cache = new Map<string, { at: number; fields: JiraField[] }>();

/**
 * The instance's field list (`GET /rest/api/2/field`), cached a few minutes per Jira: custom
 * field ids differ between Jiras, so they are resolved by name from here, never hard-coded.
 */
export async function jiraFields(api: JiraApi, instanceId: number): Promise<JiraField[]> {
  const key = `${instanceId}:${api.siteAddress}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.fields;
  const fields = await api.get<JiraField[]>('/rest/api/2/field');
  cache.set(key, { at: Date.now(), fields });
  return fields;
}

export function forgetFields(instanceId: number): void {
  for (const k of cache.keys()) if (k.startsWith(`${instanceId}:`)) cache.delete(k);
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
      out[byName ? byName.id : k] = v;
    }
    return out;
  };
  return { ...b, ...(b.fields !== undefined && { fields: rename(b.fields) }), ...(b.update !== undefined && { update: rename(b.update) }) };
}

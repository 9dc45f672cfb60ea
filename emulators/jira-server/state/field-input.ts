import type { FieldDefinition, Issue, IssueFields, Project, User } from './model.ts';
import type { JiraState } from './state.ts';
import { parseJiraDateTime } from '../time.ts';

/** Field-keyed validation messages, Jira's `errors` object. */
export type FieldErrors = Record<string, string>;

const ref = (v: unknown): { id?: string; key?: string; name?: string; value?: string } | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : undefined;

/** Fields that can be set on the create and edit screens of every project. */
export const SCREEN_FIELDS = [
  'summary',
  'description',
  'environment',
  'issuetype',
  'project',
  'priority',
  'assignee',
  'reporter',
  'labels',
  'components',
  'duedate',
  'parent',
];

export function resolveUserRef(state: JiraState, value: unknown): User | null | undefined {
  if (value === null) return null;
  const r = ref(value);
  if (!r) return undefined;
  if (r.name !== undefined) return r.name === null ? null : state.userByName(String(r.name));
  if (r.key !== undefined) return state.userByKey(String(r.key));
  return undefined;
}

/**
 * Applies Jira `fields` input to internal field values, collecting Jira's per-field messages.
 * `creating` decides whether project/issuetype may be set and which messages apply.
 */
export function applyFieldInput(
  state: JiraState,
  target: IssueFields,
  input: Record<string, unknown>,
  errors: FieldErrors,
  creating: boolean,
  project: Project | undefined,
): void {
  for (const [id, value] of Object.entries(input)) {
    if (id === 'project' || (id === 'issuetype' && creating)) continue;
    const def = state.fields.get(id) ?? [...state.fields.values()].find((f) => f.custom && f.name === id);
    if (!def || (!def.custom && !SCREEN_FIELDS.includes(id) && !(id === 'issuetype'))) {
      errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
      continue;
    }
    if (def.custom) {
      setCustom(state, target, def, value, errors);
      continue;
    }
    switch (id) {
      case 'summary':
        if (typeof value !== 'string' && value !== null) errors.summary = 'Operation value must be a string';
        else if (value === null || value.trim() === '') errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else target.summary = value;
        break;
      case 'description':
      case 'environment':
        if (value !== null && typeof value !== 'string') errors[id] = `Field '${id}' must be a string.`;
        else target[id] = value as string | null;
        break;
      case 'issuetype': {
        const r = ref(value);
        const t = r && [...state.issueTypes.values()].find((x) => x.id === r.id || x.name === r.name);
        if (!t || (project && !project.issueTypeIds.includes(t.id))) errors.issuetype = 'valid issue type is required';
        else target.issuetype = t.id;
        break;
      }
      case 'priority': {
        if (value === null) {
          target.priority = null;
          break;
        }
        const r = ref(value);
        const p = r && state.priorities.find((x) => x.id === r.id || x.name === r.name);
        if (!p) errors.priority = r?.id ? `Priority with id '${r.id}' does not exist` : `Priority name '${r?.name}' is not valid`;
        else target.priority = p.id;
        break;
      }
      case 'assignee':
      case 'reporter': {
        const r = ref(value);
        if (id === 'assignee' && r?.name === '-1') {
          target.assignee = project?.leadKey ?? null;
          break;
        }
        const u = resolveUserRef(state, value);
        if (u === undefined) errors[id] = `User '${r?.name ?? r?.key ?? String(value)}' does not exist.`;
        else if (u === null && id === 'reporter') errors.reporter = 'Reporter is required.';
        else if (u && !u.active) errors[id] = `User '${u.name}' is inactive.`;
        else target[id] = u?.key ?? null;
        break;
      }
      case 'labels':
        if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) errors.labels = 'The label must be a list of strings.';
        else if (value.some((l: string) => /\s/.test(l)))
          errors.labels = `The label '${value.find((l: string) => /\s/.test(l))}' contains spaces which is invalid.`;
        else target.labels = [...new Set(value as string[])];
        break;
      case 'components': {
        if (!Array.isArray(value)) {
          errors.components = 'Components must be a list.';
          break;
        }
        const ids: string[] = [];
        for (const c of value) {
          const r = ref(c);
          const comp = project?.components.find((x) => x.id === r?.id || x.name === r?.name);
          if (!comp) {
            errors.components = `Component name '${r?.name ?? r?.id}' is not valid`;
            break;
          }
          ids.push(comp.id);
        }
        if (!errors.components) target.components = ids;
        break;
      }
      case 'duedate':
        if (value !== null && (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))) errors.duedate = `Error parsing date string: ${String(value)}`;
        else target.duedate = value as string | null;
        break;
      case 'parent': {
        const r = ref(value);
        const parent = r && state.issueByIdOrKey(String(r.key ?? r.id ?? ''));
        if (!parent) errors.parent = 'Could not find issue by id or key.';
        else target.parent = parent.id;
        break;
      }
      default:
        errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
  }
}

function setCustom(state: JiraState, target: IssueFields, def: FieldDefinition, value: unknown, errors: FieldErrors): void {
  const id = def.id;
  if (value === null) {
    target.custom.delete(id);
    return;
  }
  switch (def.kind) {
    case 'select': {
      const r = ref(value);
      const opt = def.options?.find((o) => o.id === r?.id || o.value === r?.value);
      if (!opt) errors[id] = r?.id ? `Option id '${r.id}' is not valid` : `Option value '${r?.value ?? JSON.stringify(value)}' is not valid`;
      else target.custom.set(id, opt.id);
      return;
    }
    case 'multiselect': {
      if (!Array.isArray(value)) {
        errors[id] = 'data was not an array';
        return;
      }
      const ids: string[] = [];
      for (const v of value) {
        const r = ref(v);
        const opt = def.options?.find((o) => o.id === r?.id || o.value === r?.value);
        if (!opt) {
          errors[id] = `Option value '${r?.value}' is not valid`;
          return;
        }
        ids.push(opt.id);
      }
      target.custom.set(id, ids);
      return;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) errors[id] = `Operation value must be a number`;
      else target.custom.set(id, value);
      return;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors[id] = `Error parsing date string: ${String(value)}`;
      else target.custom.set(id, value);
      return;
    case 'datetime': {
      const ms = typeof value === 'string' ? parseJiraDateTime(value) : undefined;
      if (ms === undefined) errors[id] = `Error parsing time: ${String(value)}`;
      else target.custom.set(id, ms);
      return;
    }
    case 'userpicker': {
      const u = resolveUserRef(state, value);
      if (!u) errors[id] = `User '${ref(value)?.name ?? String(value)}' does not exist.`;
      else target.custom.set(id, u.key);
      return;
    }
    case 'labels':
      if (!Array.isArray(value)) errors[id] = 'data was not an array';
      else target.custom.set(id, value);
      return;
    case 'grouppicker': {
      const r = ref(value);
      if (!r?.name || !state.groups.has(r.name)) errors[id] = `Group '${r?.name}' does not exist.`;
      else target.custom.set(id, r.name);
      return;
    }
    default:
      if (typeof value !== 'string') errors[id] = 'Operation value must be a string';
      else if (value.length > 255 && def.kind === 'text') errors[id] = 'The entered text is too long. It exceeds the allowed limit of 255 characters.';
      else target.custom.set(id, value);
  }
}

/** The human-readable value of a field, for changelog `fromString`/`toString`. */
export function displayValue(state: JiraState, issue: Issue, id: string): { raw: string | null; text: string | null } {
  const f = issue.fields;
  const custom = state.fields.get(id);
  switch (id) {
    case 'summary':
    case 'description':
    case 'environment':
    case 'duedate': {
      const v = f[id];
      return { raw: null, text: v };
    }
    case 'priority':
      return { raw: f.priority, text: state.priorities.find((p) => p.id === f.priority)?.name ?? null };
    case 'issuetype':
      return { raw: f.issuetype, text: state.issueTypes.get(f.issuetype)?.name ?? null };
    case 'status':
      return { raw: f.status, text: state.statuses.get(f.status)?.name ?? null };
    case 'resolution':
      return { raw: f.resolution, text: state.resolutions.find((r) => r.id === f.resolution)?.name ?? null };
    case 'assignee':
    case 'reporter':
      return { raw: f[id], text: f[id] ? (state.userByKey(f[id]!)?.displayName ?? null) : null };
    case 'labels':
      return { raw: null, text: f.labels.length ? f.labels.join(' ') : null };
    case 'components': {
      const project = state.projects.get(f.project)!;
      return { raw: f.components.join(',') || null, text: f.components.map((c) => project.components.find((x) => x.id === c)?.name).join(', ') || null };
    }
    default: {
      if (!custom?.custom) return { raw: null, text: null };
      const v = f.custom.get(id);
      if (v === undefined || v === null) return { raw: null, text: null };
      if (custom.kind === 'select') return { raw: String(v), text: custom.options?.find((o) => o.id === v)?.value ?? null };
      if (custom.kind === 'userpicker') return { raw: String(v), text: state.userByKey(String(v))?.displayName ?? null };
      return { raw: null, text: Array.isArray(v) ? v.join(',') : String(v) };
    }
  }
}

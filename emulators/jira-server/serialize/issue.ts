import type { FieldDefinition, Issue } from '../state/model.ts';
import type { Serializer } from './beans.ts';
import { formatDuration, renderWiki } from './beans.ts';
import { formatDate } from '../time.ts';

export interface IssueView {
  /** `fields` parameter: ids, `*all`, `*navigable`, `-id`. */
  fields: string[];
  expand: string[];
  properties: string[];
  /** The key of the calling user (for `watches.isWatching` and `votes.hasVoted`). */
  viewerKey: string;
  /** Transitions available to the caller, when `expand=transitions`. */
  transitions?: () => unknown[];
  editmeta?: () => unknown;
}

/** The comma-list parameters: `a,b` strings, repeated parameters and arrays all flatten. */
export function listParam(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Which field ids a `fields` selection returns (jira-server.md §2). */
export function selectFields(all: FieldDefinition[], selection: string[], fallback: '*all' | '*navigable'): Set<string> {
  const chosen = new Set<string>();
  const sel = selection.length ? selection : [fallback];
  for (const s of sel) {
    for (const f of all) if (s === '*all' || (s === '*navigable' && f.navigable)) chosen.add(f.id);
  }
  for (const s of sel) if (!s.startsWith('*') && !s.startsWith('-') && all.some((f) => f.id === s)) chosen.add(s);
  for (const s of sel) if (s.startsWith('-')) chosen.delete(s.slice(1));
  return chosen;
}

const timeSpent = (issue: Issue) => issue.worklogs.reduce((n, w) => n + w.timeSpentSeconds, 0);

/** The full value of one field of an issue, as Jira serialises it. */
export function fieldValue(ser: Serializer, issue: Issue, field: FieldDefinition, viewerKey: string): unknown {
  const s = ser.state;
  const f = issue.fields;
  switch (field.id) {
    case 'summary':
      return f.summary;
    case 'description':
      return f.description;
    case 'environment':
      return f.environment;
    case 'issuetype':
      return ser.issueType(s.issueTypes.get(f.issuetype)!);
    case 'project':
      return ser.projectShort(s.projects.get(f.project)!);
    case 'status':
      return ser.status(s.status(f.status));
    case 'priority': {
      const p = s.priorities.find((x) => x.id === f.priority);
      return p ? ser.priority(p) : null;
    }
    case 'resolution': {
      const r = s.resolutions.find((x) => x.id === f.resolution);
      return r ? ser.resolution(r) : null;
    }
    case 'resolutiondate':
      return ser.date(f.resolutiondate);
    case 'assignee':
      return ser.userByKey(f.assignee);
    case 'reporter':
      return ser.userByKey(f.reporter);
    case 'creator':
      return ser.userByKey(f.creator);
    case 'labels':
      return [...f.labels];
    case 'components': {
      const project = s.projects.get(f.project)!;
      return f.components
        .map((id) => project.components.find((c) => c.id === id))
        .filter((c) => c !== undefined)
        .map((c) => ser.component(c!));
    }
    case 'fixVersions':
    case 'versions':
      return [];
    case 'issuelinks':
      return ser.issueLinksOf(issue);
    case 'duedate':
      return f.duedate;
    case 'created':
      return ser.date(issue.created);
    case 'updated':
      return ser.date(issue.updated);
    case 'lastViewed':
      return null;
    case 'subtasks':
      return s.subtasks(issue.id).map((sub) => ({
        id: sub.id,
        key: sub.key,
        self: ser.api(`issue/${sub.id}`),
        fields: {
          summary: sub.fields.summary,
          status: ser.status(s.status(sub.fields.status)),
          issuetype: ser.issueType(s.issueTypes.get(sub.fields.issuetype)!),
        },
      }));
    case 'parent': {
      if (f.parent === null) return null;
      const parent = s.issues.get(f.parent);
      return parent ? { id: parent.id, key: parent.key, self: ser.api(`issue/${parent.id}`), fields: { summary: parent.fields.summary } } : null;
    }
    case 'watches':
      return { self: ser.api(`issue/${issue.key}/watchers`), watchCount: issue.watcherKeys.length, isWatching: issue.watcherKeys.includes(viewerKey) };
    case 'votes':
      return { self: ser.api(`issue/${issue.key}/votes`), votes: issue.voterKeys.length, hasVoted: issue.voterKeys.includes(viewerKey) };
    case 'timespent':
    case 'aggregatetimespent': {
      const spent = timeSpent(issue);
      return spent === 0 ? null : spent;
    }
    // No estimates are kept: Jira shows null, and a work ratio of -1 without an estimate.
    case 'timeestimate':
    case 'timeoriginalestimate':
      return null;
    case 'workratio':
      return -1;
    case 'progress': {
      const spent = timeSpent(issue);
      return spent === 0 ? { progress: 0, total: 0 } : { progress: spent, total: spent, percent: 100 };
    }
    case 'timetracking': {
      const spent = timeSpent(issue);
      return spent === 0 ? {} : { timeSpent: formatDuration(spent), timeSpentSeconds: spent };
    }
    case 'attachment':
      return issue.attachments.map((a) => ser.attachment(a));
    case 'comment':
      return {
        comments: issue.comments.map((c) => ser.comment(issue.id, c)),
        maxResults: issue.comments.length,
        total: issue.comments.length,
        startAt: 0,
      };
    case 'worklog':
      return {
        startAt: 0,
        maxResults: 20,
        total: issue.worklogs.length,
        worklogs: issue.worklogs.slice(0, 20).map((w) => ser.worklog(issue.id, w)),
      };
    default:
      return field.custom ? customValue(ser, issue, field) : null;
  }
}

function customValue(ser: Serializer, issue: Issue, field: FieldDefinition): unknown {
  const raw = issue.fields.custom.get(field.id);
  if (raw === undefined || raw === null) return null;
  switch (field.kind) {
    case 'select': {
      const o = field.options?.find((x) => x.id === raw);
      return o ? { self: ser.api(`customFieldOption/${o.id}`), value: o.value, id: o.id, disabled: o.disabled } : null;
    }
    case 'multiselect':
      return (raw as string[])
        .map((id) => field.options?.find((x) => x.id === id))
        .filter(Boolean)
        .map((o) => ({ self: ser.api(`customFieldOption/${o!.id}`), value: o!.value, id: o!.id, disabled: o!.disabled }));
    case 'userpicker':
      return ser.userByKey(raw as string);
    case 'grouppicker':
      return { name: raw, self: ser.api(`group?groupname=${encodeURIComponent(String(raw))}`) };
    case 'datetime':
      return ser.date(raw as number);
    default:
      return raw;
  }
}

/** The issue bean of get-issue and search, with `fields`, `expand` and `properties` applied. */
export function issueBean(ser: Serializer, issue: Issue, view: IssueView, fallback: '*all' | '*navigable'): Record<string, unknown> {
  const defs = [...ser.state.fields.values()];
  const chosen = selectFields(defs, view.fields, fallback);
  const fields: Record<string, unknown> = {};
  for (const def of defs) {
    // An issue that is no sub-task has no `parent` member at all.
    if (!chosen.has(def.id) || (def.id === 'parent' && issue.fields.parent === null)) continue;
    fields[def.id] = fieldValue(ser, issue, def, view.viewerKey);
  }
  const bean: Record<string, unknown> = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: ser.api(`issue/${issue.id}`),
    key: issue.key,
  };
  if (view.properties.length) {
    const props: Record<string, unknown> = {};
    for (const key of view.properties) if (issue.properties.has(key)) props[key] = issue.properties.get(key);
    bean.properties = props;
  }
  bean.fields = fields;
  const expand = new Set(view.expand);
  if (expand.has('renderedFields')) {
    const rendered: Record<string, unknown> = {};
    for (const id of Object.keys(fields)) {
      if (id === 'description' || id === 'environment') rendered[id] = renderWiki(fields[id] as string | null);
      else if (id === 'comment')
        rendered[id] = {
          comments: issue.comments.map((c) => ser.comment(issue.id, c, true)),
          maxResults: issue.comments.length,
          total: issue.comments.length,
          startAt: 0,
        };
      else if (['created', 'updated', 'resolutiondate'].includes(id))
        rendered[id] =
          fields[id] === null ? null : formatDate(id === 'created' ? issue.created : id === 'updated' ? issue.updated : issue.fields.resolutiondate!, ser.zone);
      else rendered[id] = null;
    }
    bean.renderedFields = rendered;
  }
  if (expand.has('names')) bean.names = Object.fromEntries(Object.keys(fields).map((id) => [id, ser.state.fields.get(id)!.name]));
  if (expand.has('schema')) bean.schema = Object.fromEntries(Object.keys(fields).map((id) => [id, ser.state.fields.get(id)!.schema]));
  if (expand.has('transitions') && view.transitions) bean.transitions = view.transitions();
  if (expand.has('editmeta') && view.editmeta) bean.editmeta = view.editmeta();
  if (expand.has('changelog')) {
    bean.changelog = { startAt: 0, maxResults: issue.histories.length, total: issue.histories.length, histories: issue.histories.map((h) => ser.history(h)) };
  }
  return bean;
}

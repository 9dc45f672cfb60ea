import type {
  Attachment,
  Comment,
  Component,
  History,
  Issue,
  IssueLink,
  IssueLinkType,
  IssueType,
  Priority,
  Project,
  RemoteLink,
  Resolution,
  Status,
  User,
  Version,
  Worklog,
} from '../state/model.ts';
import type { JiraState } from '../state/state.ts';
import { formatDateTime } from '../time.ts';

/** The project roles of a default Jira install, with their ids. */
const PROJECT_ROLES: [string, number][] = [
  ['Administrators', 10002],
  ['Developers', 10001],
  ['Users', 10000],
];

/**
 * The serializer context: the only place JSON is produced. `self` URLs are absolute and include
 * the context path; datetimes use the instance zone; ids are strings.
 */
export class Serializer {
  constructor(
    readonly state: JiraState,
    readonly baseUrl: string,
    readonly zone: string,
  ) {}

  api(path: string): string {
    return `${this.baseUrl}/rest/api/2/${path}`;
  }

  date(ms: number): string;
  date(ms: number | null): string | null;
  date(ms: number | null): string | null {
    return ms === null ? null : formatDateTime(ms, this.zone);
  }

  avatarUrls(kind: 'user' | 'project', owner: string, avatarId: number): Record<string, string> {
    const base = kind === 'user' ? `${this.baseUrl}/secure/useravatar` : `${this.baseUrl}/secure/projectavatar`;
    const owner_ = kind === 'user' ? `ownerId=${encodeURIComponent(owner)}&` : `pid=${owner}&`;
    return {
      '48x48': `${base}?${owner_}avatarId=${avatarId}`,
      '24x24': `${base}?size=small&${owner_}avatarId=${avatarId}`,
      '16x16': `${base}?size=xsmall&${owner_}avatarId=${avatarId}`,
      '32x32': `${base}?size=medium&${owner_}avatarId=${avatarId}`,
    };
  }

  /** The user bean of `/user`, `/myself` and embedded users. */
  user(u: User, full = false): Record<string, unknown> {
    const bean: Record<string, unknown> = {
      self: this.api(`user?username=${encodeURIComponent(u.name)}`),
      key: u.key,
      name: u.name,
      emailAddress: u.emailAddress,
      avatarUrls: this.avatarUrls('user', u.name, 10122),
      displayName: u.displayName,
      active: u.active,
      timeZone: u.timeZone,
    };
    if (full) {
      bean.deleted = false;
      bean.locale = 'en_US';
      bean.groups = { size: u.groups.length, items: [] };
      bean.applicationRoles = { size: 1, items: [] };
      bean.expand = 'groups,applicationRoles';
    }
    return bean;
  }

  userByKey(key: string | null): Record<string, unknown> | null {
    if (key === null) return null;
    const u = this.state.userByKey(key);
    return u ? this.user(u) : null;
  }

  project(p: Project, detailed = false): Record<string, unknown> {
    const bean: Record<string, unknown> = {
      expand: 'description,lead,url,projectKeys',
      self: this.api(`project/${p.id}`),
      id: p.id,
      key: p.key,
      name: p.name,
      avatarUrls: this.avatarUrls('project', p.id, 10324),
      projectTypeKey: p.projectTypeKey,
      archived: p.archived,
    };
    if (detailed) {
      bean.description = p.description;
      bean.lead = this.userByKey(p.leadKey);
      bean.components = p.components.map((c) => this.componentDetail(c, p));
      bean.issueTypes = p.issueTypeIds.map((id) => this.issueType(this.state.issueTypes.get(id)!));
      bean.assigneeType = 'PROJECT_LEAD';
      bean.versions = [];
      bean.roles = Object.fromEntries(PROJECT_ROLES.map(([name, id]) => [name, this.api(`project/${p.id}/role/${id}`)]));
      bean.projectKeys = [p.key];
    }
    return bean;
  }

  projectShort(p: Project): Record<string, unknown> {
    return {
      self: this.api(`project/${p.id}`),
      id: p.id,
      key: p.key,
      name: p.name,
      projectTypeKey: p.projectTypeKey,
      avatarUrls: this.avatarUrls('project', p.id, 10324),
    };
  }

  version(v: Version, p: Project): Record<string, unknown> {
    return {
      self: this.api(`version/${v.id}`),
      id: v.id,
      ...(v.description !== '' && { description: v.description }),
      name: v.name,
      archived: v.archived,
      released: v.released,
      ...(v.startDate !== null && { startDate: v.startDate }),
      ...(v.releaseDate !== null && { releaseDate: v.releaseDate }),
      projectId: Number(p.id),
    };
  }

  linkType(t: IssueLinkType): Record<string, unknown> {
    return { id: t.id, name: t.name, inward: t.inward, outward: t.outward, self: this.api(`issueLinkType/${t.id}`) };
  }

  /** The other issue of a link, as `issuelinks` and `/issueLink/{id}` show it. */
  linkedIssue(issue: Issue): Record<string, unknown> {
    const f = issue.fields;
    const priority = this.state.priorities.find((x) => x.id === f.priority);
    return {
      id: issue.id,
      key: issue.key,
      self: this.api(`issue/${issue.id}`),
      fields: {
        summary: f.summary,
        status: this.status(this.state.status(f.status)),
        ...(priority && { priority: this.priority(priority) }),
        issuetype: this.issueType(this.state.issueTypes.get(f.issuetype)!),
      },
    };
  }

  issueLink(link: IssueLink): Record<string, unknown> {
    const type = this.state.linkTypes.find((t) => t.id === link.typeId)!;
    return {
      id: link.id,
      self: this.api(`issueLink/${link.id}`),
      type: this.linkType(type),
      inwardIssue: this.linkedIssue(this.state.issues.get(link.inwardId)!),
      outwardIssue: this.linkedIssue(this.state.issues.get(link.outwardId)!),
    };
  }

  /** An issue's links from its side: the other issue as `inwardIssue` or `outwardIssue`. */
  issueLinksOf(issue: Issue): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const link of this.state.issueLinks.values()) {
      if (link.inwardId !== issue.id && link.outwardId !== issue.id) continue;
      const type = this.linkType(this.state.linkTypes.find((t) => t.id === link.typeId)!);
      const base = { id: link.id, self: this.api(`issueLink/${link.id}`), type };
      if (link.outwardId === issue.id) out.push({ ...base, inwardIssue: this.linkedIssue(this.state.issues.get(link.inwardId)!) });
      else out.push({ ...base, outwardIssue: this.linkedIssue(this.state.issues.get(link.outwardId)!) });
    }
    return out;
  }

  remoteLink(issue: Issue, link: RemoteLink): Record<string, unknown> {
    return {
      id: link.id,
      self: this.api(`issue/${issue.key}/remotelink/${link.id}`),
      ...(link.globalId !== null && { globalId: link.globalId }),
      ...(link.application !== null && { application: link.application }),
      ...(link.relationship !== null && { relationship: link.relationship }),
      object: link.object,
    };
  }

  /** A component as an issue's field shows it. */
  component(c: Component): Record<string, unknown> {
    return { self: this.api(`component/${c.id}`), id: c.id, name: c.name, description: c.description };
  }

  /** A component as the project and component resources show it: with its assignee settings. */
  componentDetail(c: Component, p: Project): Record<string, unknown> {
    return {
      ...this.component(c),
      ...(c.leadKey !== null && { lead: this.userByKey(c.leadKey) }),
      assigneeType: 'PROJECT_DEFAULT',
      realAssigneeType: 'PROJECT_DEFAULT',
      isAssigneeTypeValid: false,
      project: p.key,
      projectId: Number(p.id),
    };
  }

  issueType(t: IssueType): Record<string, unknown> {
    return {
      self: this.api(`issuetype/${t.id}`),
      id: t.id,
      description: t.description,
      iconUrl: `${this.baseUrl}/secure/viewavatar?size=xsmall&avatarId=${t.avatarId}&avatarType=issuetype`,
      name: t.name,
      subtask: t.subtask,
      avatarId: t.avatarId,
    };
  }

  status(s: Status): Record<string, unknown> {
    const category = { new: ['2', 'blue-gray', 'To Do'], indeterminate: ['4', 'yellow', 'In Progress'], done: ['3', 'green', 'Done'] }[s.category];
    return {
      self: this.api(`status/${s.id}`),
      description: s.description,
      iconUrl: `${this.baseUrl}/images/icons/statuses/${s.name.toLowerCase().replace(/\s+/g, '')}.png`,
      name: s.name,
      untranslatedName: s.name,
      id: s.id,
      statusCategory: { self: this.api(`statuscategory/${category[0]}`), id: Number(category[0]), key: s.category, colorName: category[1], name: category[2] },
    };
  }

  priority(p: Priority): Record<string, unknown> {
    return {
      self: this.api(`priority/${p.id}`),
      statusColor: p.statusColor,
      description: p.description,
      iconUrl: `${this.baseUrl}/images/icons/priorities/${p.name.toLowerCase()}.svg`,
      name: p.name,
      id: p.id,
    };
  }

  resolution(r: Resolution): Record<string, unknown> {
    return { self: this.api(`resolution/${r.id}`), id: r.id, description: r.description, name: r.name };
  }

  comment(issueId: string, c: Comment, rendered = false): Record<string, unknown> {
    const bean: Record<string, unknown> = {
      self: this.api(`issue/${issueId}/comment/${c.id}`),
      id: c.id,
      author: this.userByKey(c.authorKey),
      body: c.body,
      updateAuthor: this.userByKey(c.updateAuthorKey),
      created: this.date(c.created),
      updated: this.date(c.updated),
    };
    if (c.visibility) bean.visibility = c.visibility;
    if (rendered) bean.renderedBody = renderWiki(c.body);
    return bean;
  }

  attachment(a: Attachment): Record<string, unknown> {
    const bean: Record<string, unknown> = {
      self: this.api(`attachment/${a.id}`),
      id: a.id,
      filename: a.filename,
      author: this.userByKey(a.authorKey),
      created: this.date(a.created),
      size: a.content.length,
      mimeType: a.mimeType,
      content: `${this.baseUrl}/secure/attachment/${a.id}/${encodeURIComponent(a.filename)}`,
    };
    if (a.mimeType.startsWith('image/')) bean.thumbnail = `${this.baseUrl}/secure/thumbnail/${a.id}/_thumb_${a.id}.png`;
    return bean;
  }

  worklog(issueId: string, w: Worklog): Record<string, unknown> {
    const bean: Record<string, unknown> = {
      self: this.api(`issue/${issueId}/worklog/${w.id}`),
      author: this.userByKey(w.authorKey),
      updateAuthor: this.userByKey(w.updateAuthorKey),
      comment: w.comment,
      created: this.date(w.created),
      updated: this.date(w.updated),
      started: this.date(w.started),
      timeSpent: formatDuration(w.timeSpentSeconds),
      timeSpentSeconds: w.timeSpentSeconds,
      id: w.id,
      issueId,
    };
    if (w.visibility) bean.visibility = w.visibility;
    return bean;
  }

  history(h: History): Record<string, unknown> {
    return { id: h.id, author: this.userByKey(h.authorKey), created: this.date(h.created), items: h.items };
  }
}

/** Jira's duration text: `1h 30m`, `2d`, `1w 2d` (8-hour days, 5-day weeks). */
export function formatDuration(seconds: number): string {
  const units: [string, number][] = [
    ['w', 5 * 8 * 3600],
    ['d', 8 * 3600],
    ['h', 3600],
    ['m', 60],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${u}`);
      rest -= n * size;
    }
  }
  return parts.length ? parts.join(' ') : '0m';
}

/** Parses `1h 30m`, `2d`, `90m`, `1w 2d 4h` into seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 60;
  const sizes: Record<string, number> = { w: 5 * 8 * 3600, d: 8 * 3600, h: 3600, m: 60 };
  let total = 0;
  for (const part of trimmed.split(/\s+/)) {
    const m = /^(\d+(?:\.\d+)?)([wdhm])$/.exec(part);
    if (!m) return undefined;
    total += Number(m[1]) * sizes[m[2]!]!;
  }
  return Math.round(total);
}

/** A deliberately small wiki-markup renderer: enough for `renderedFields`/`renderedBody`. */
export function renderWiki(text: string | null): string | null {
  if (text === null) return null;
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br/>\n')}</p>`)
    .join('\n');
}

import type {
  Counters,
  FieldDefinition,
  Group,
  Issue,
  IssueLink,
  IssueLinkType,
  IssueType,
  NotifyRecord,
  Priority,
  Project,
  Resolution,
  Status,
  Transition,
  User,
  WebhookDelivery,
  WebhookRegistration,
} from './model.ts';

/** Everything the emulated Jira holds. One instance per emulator; `reset` empties it. */
export class JiraState {
  users = new Map<string, User>();
  groups = new Map<string, Group>();
  projects = new Map<string, Project>();
  issueTypes = new Map<string, IssueType>();
  priorities: Priority[] = [];
  statuses = new Map<string, Status>();
  resolutions: Resolution[] = [];
  transitions: Transition[] = [];
  fields = new Map<string, FieldDefinition>();
  /** Issues in creation order; deleted issues are removed. */
  issues = new Map<string, Issue>();
  issuesByKey = new Map<string, Issue>();
  /** Indexes kept by the domain layer, so single reads stay O(1) with 100,000 issues. */
  subtasksOf = new Map<string, Set<string>>();
  attachmentIssue = new Map<string, string>();
  webhooks = new Map<number, WebhookRegistration>();
  issueLinks = new Map<string, IssueLink>();
  /** Jira's default link types. */
  linkTypes: IssueLinkType[] = [
    { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
    { id: '10001', name: 'Cloners', inward: 'is cloned by', outward: 'clones' },
    { id: '10002', name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' },
    { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to' },
  ];
  deliveries: WebhookDelivery[] = [];
  outbox: NotifyRecord[] = [];
  deletedWorklogs: { id: string; deletedAt: number }[] = [];
  counters: Counters = {
    issue: 10000,
    comment: 10000,
    attachment: 10000,
    worklog: 10000,
    history: 10000,
    project: 10000,
    component: 10000,
    issueType: 10000,
    customField: 10000,
    option: 10000,
    user: 10000,
    webhook: 0,
    delivery: 0,
    token: 0,
    version: 10000,
    remoteLink: 10000,
    issueLink: 10000,
  };

  next(counter: keyof Counters): number {
    return ++this.counters[counter];
  }

  userByName(name: string): User | undefined {
    const lower = name.toLowerCase();
    for (const u of this.users.values()) if (u.name.toLowerCase() === lower) return u;
    return undefined;
  }

  userByKey(key: string): User | undefined {
    return this.users.get(key);
  }

  projectByIdOrKey(idOrKey: string): Project | undefined {
    const p = this.projects.get(idOrKey);
    if (p) return p;
    const upper = idOrKey.toUpperCase();
    for (const project of this.projects.values()) if (project.key === upper) return project;
    return undefined;
  }

  issueByIdOrKey(idOrKey: string): Issue | undefined {
    return this.issues.get(idOrKey) ?? this.issuesByKey.get(idOrKey.toUpperCase());
  }

  subtasks(parentId: string): Issue[] {
    return [...(this.subtasksOf.get(parentId) ?? [])].map((id) => this.issues.get(id)).filter((i): i is Issue => i !== undefined);
  }

  status(id: string): Status {
    const s = this.statuses.get(id);
    if (!s) throw new Error(`unknown status ${id}`);
    return s;
  }

  isAdmin(user: User): boolean {
    return user.groups.includes('jira-administrators');
  }

  canBrowse(user: User, project: Project): boolean {
    return project.browseGroups.length === 0 || this.isAdmin(user) || project.browseGroups.some((g) => user.groups.includes(g));
  }
}

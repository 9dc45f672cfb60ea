/**
 * The emulator's in-memory Jira: plain data, mutated only through `domain.ts` so that
 * `updated`, the changelog and webhook events stay consistent.
 */

export interface PersonalAccessToken {
  id: number;
  name: string;
  /** Only the hash is kept, as Jira does; the raw token is shown once. */
  tokenHash: string;
  createdAt: number;
  expiringAt: number | null;
}

export interface User {
  key: string;
  name: string;
  displayName: string;
  emailAddress: string;
  password: string;
  timeZone: string;
  active: boolean;
  groups: string[];
  failedLogins: number;
  /** Too many failed logins: every basic-auth attempt is denied until cleared. */
  captcha: boolean;
  tokens: PersonalAccessToken[];
  properties: Map<string, unknown>;
}

export interface Component {
  id: string;
  name: string;
  description: string;
  leadKey: string | null;
}

export interface Version {
  id: string;
  name: string;
  description: string;
  archived: boolean;
  released: boolean;
  /** `yyyy-MM-dd`, or null. */
  releaseDate: string | null;
  startDate: string | null;
}

/** A link from an issue to something outside Jira (`/issue/{key}/remotelink`). */
export interface RemoteLink {
  id: number;
  globalId: string | null;
  application: Record<string, unknown> | null;
  relationship: string | null;
  object: Record<string, unknown>;
}

export interface IssueLinkType {
  id: string;
  name: string;
  inward: string;
  outward: string;
}

/** A link between two issues: `outward` issue "blocks" `inward` issue, as Jira stores it. */
export interface IssueLink {
  id: string;
  typeId: string;
  inwardId: string;
  outwardId: string;
}

export interface Project {
  id: string;
  key: string;
  name: string;
  description: string;
  leadKey: string;
  projectTypeKey: string;
  components: Component[];
  versions: Version[];
  issueTypeIds: string[];
  nextIssueNumber: number;
  /** Groups allowed to browse; empty means every logged-in user. */
  browseGroups: string[];
  archived: boolean;
}

export interface IssueType {
  id: string;
  name: string;
  description: string;
  subtask: boolean;
  avatarId: number;
}

export interface Priority {
  id: string;
  name: string;
  description: string;
  statusColor: string;
}

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface Status {
  id: string;
  name: string;
  description: string;
  category: StatusCategoryKey;
}

export interface Resolution {
  id: string;
  name: string;
  description: string;
}

export interface Transition {
  id: string;
  name: string;
  from: string[];
  to: string;
  /** Resolve/close set a resolution (default Fixed); reopen clears it. */
  resolution: 'set' | 'clear' | 'keep';
  opsbarSequence: number;
}

export type CustomFieldKind = 'select' | 'text' | 'number' | 'date' | 'userpicker' | 'textarea' | 'grouppicker' | 'multiselect' | 'datetime' | 'labels';

export interface CustomFieldOption {
  id: string;
  value: string;
  disabled: boolean;
}

export interface FieldDefinition {
  id: string;
  name: string;
  custom: boolean;
  orderable: boolean;
  navigable: boolean;
  searchable: boolean;
  schema: { type: string; items?: string; system?: string; custom?: string; customId?: number };
  /** Custom fields only. */
  kind?: CustomFieldKind;
  options?: CustomFieldOption[];
  description?: string;
}

export interface Comment {
  id: string;
  authorKey: string;
  updateAuthorKey: string;
  body: string;
  created: number;
  updated: number;
  visibility: { type: 'role' | 'group'; value: string } | null;
  properties: Map<string, unknown>;
}

export interface Attachment {
  id: string;
  filename: string;
  authorKey: string;
  created: number;
  mimeType: string;
  content: Buffer;
  issueId: string;
}

export interface Worklog {
  id: string;
  authorKey: string;
  updateAuthorKey: string;
  comment: string;
  created: number;
  updated: number;
  started: number;
  timeSpentSeconds: number;
  visibility: { type: 'role' | 'group'; value: string } | null;
}

export interface ChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface History {
  id: string;
  authorKey: string;
  created: number;
  items: ChangeItem[];
}

/**
 * An issue. `fields` hold internal values: ids and user keys rather than beans, so renaming a
 * status or a user shows everywhere at once, as in Jira.
 */
export interface IssueFields {
  summary: string;
  description: string | null;
  environment: string | null;
  issuetype: string;
  project: string;
  status: string;
  priority: string | null;
  resolution: string | null;
  resolutiondate: number | null;
  assignee: string | null;
  reporter: string | null;
  creator: string;
  labels: string[];
  components: string[];
  duedate: string | null;
  parent: string | null;
  /** customfield_NNNNN → internal value (option id, user key, string, number, date string). */
  custom: Map<string, unknown>;
}

export interface Issue {
  id: string;
  key: string;
  number: number;
  fields: IssueFields;
  created: number;
  updated: number;
  comments: Comment[];
  attachments: Attachment[];
  worklogs: Worklog[];
  properties: Map<string, unknown>;
  histories: History[];
  watcherKeys: string[];
  voterKeys: string[];
  remoteLinks: RemoteLink[];
}

export interface WebhookRegistration {
  id: number;
  name: string;
  url: string;
  events: string[];
  /** JQL filter for issue events (9.x `filters`, 10.x `configuration.FILTERS`). */
  jql: string | null;
  excludeBody: boolean;
  enabled: boolean;
  createdDate: number;
  updatedDate: number;
  lastUpdatedUserKey: string;
  api: 'v1' | 'v10';
  stats: { successes: number; failures: number; errors: number; lastError: string | null };
}

export interface WebhookDelivery {
  id: number;
  webhookId: number;
  url: string;
  event: string;
  body: unknown;
  status: number | null;
  error: string | null;
  at: number;
}

export interface NotifyRecord {
  issueKey: string;
  at: number;
  body: unknown;
}

export interface Group {
  name: string;
}

export interface Counters {
  issue: number;
  comment: number;
  attachment: number;
  worklog: number;
  history: number;
  project: number;
  component: number;
  issueType: number;
  customField: number;
  option: number;
  user: number;
  webhook: number;
  delivery: number;
  token: number;
  version: number;
  remoteLink: number;
  issueLink: number;
}

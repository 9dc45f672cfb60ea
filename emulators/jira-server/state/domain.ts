import type { Attachment, ChangeItem, Comment, Issue, IssueFields, Project, User, Worklog } from './model.ts';
import type { JiraState } from './state.ts';
import { applyFieldInput, displayValue, type FieldErrors } from './field-input.ts';

/**
 * Every mutation of issues goes through here: it bumps `updated`, writes changelog items where
 * Jira writes them, and emits one domain event (which feeds webhooks). Keeping this in one place
 * keeps `updated`, the changelog and webhook deliveries consistent by construction.
 */
export type DomainEvent =
  | { type: 'issue_created'; issue: Issue; user: User }
  | { type: 'issue_updated'; issue: Issue; user: User; eventTypeName: string; changelog: { id: string; items: ChangeItem[] } | null; comment?: Comment }
  | { type: 'issue_deleted'; issue: Issue; user: User }
  | { type: 'comment'; action: 'created' | 'updated' | 'deleted'; issue: Issue; comment: Comment; user: User }
  | { type: 'worklog'; action: 'created' | 'updated' | 'deleted'; issue: Issue; worklog: Worklog; user: User }
  | { type: 'attachment'; action: 'created' | 'deleted'; issue: Issue; attachment: Attachment; user: User }
  | { type: 'property'; action: 'set' | 'deleted'; issue: Issue; key: string; user: User };

export class ValidationError extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly errorMessages: string[] = [],
  ) {
    super('validation failed');
  }
}

export type Listener = (event: DomainEvent) => void;

const TRACKED = ['summary', 'description', 'environment', 'priority', 'assignee', 'reporter', 'labels', 'components', 'duedate', 'issuetype'];

export class Domain {
  #listeners: Listener[] = [];

  constructor(
    readonly state: JiraState,
    readonly now: () => number,
  ) {}

  onEvent(listener: Listener): void {
    this.#listeners.push(listener);
  }

  #emit(event: DomainEvent): void {
    for (const l of this.#listeners) l(event);
  }

  /** A time strictly after the issue's last change, so ordering by `updated` is total per issue. */
  #tick(issue?: Issue): number {
    const t = this.now();
    return issue && t <= issue.updated ? issue.updated + 1 : t;
  }

  createIssue(user: User, body: { fields?: Record<string, unknown>; update?: Record<string, unknown>; properties?: { key: string; value: unknown }[] }): Issue {
    const input = body.fields ?? {};
    const errors: FieldErrors = {};
    const p = input.project as { key?: string; id?: string } | undefined;
    const project: Project | undefined = p ? this.state.projectByIdOrKey(String(p.id ?? p.key ?? '')) : undefined;
    if (!project || !this.state.canBrowse(user, project)) errors.project = p ? 'valid project is required' : 'project is required';
    const it = input.issuetype as { id?: string; name?: string } | undefined;
    const type = it ? [...this.state.issueTypes.values()].find((t) => t.id === it.id || t.name === it.name) : undefined;
    if (!type || (project && !project.issueTypeIds.includes(type.id))) errors.issuetype = it ? 'valid issue type is required' : 'issue type is required';
    // Jira checks project and issue type first, and stops there: the other fields depend on them.
    if (Object.keys(errors).length) throw new ValidationError(errors);
    if (input.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
    const fields: IssueFields = {
      summary: '',
      description: null,
      environment: null,
      issuetype: type?.id ?? '',
      project: project?.id ?? '',
      status: '1',
      priority: '3',
      resolution: null,
      resolutiondate: null,
      assignee: null,
      reporter: user.key,
      creator: user.key,
      labels: [],
      components: [],
      duedate: null,
      parent: null,
      custom: new Map(),
    };
    if (project) applyFieldInput(this.state, fields, input, errors, true, project);
    if (type?.subtask && fields.parent === null && !errors.parent) errors.parent = 'Issue type is a sub-task but parent issue key or id not specified.';
    if (!type?.subtask && fields.parent !== null) errors.parent = 'Only sub-task issue types can have a parent.';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const at = this.now();
    const id = String(this.state.next('issue'));
    const number = project!.nextIssueNumber++;
    const issue: Issue = {
      id,
      key: `${project!.key}-${number}`,
      number,
      fields,
      created: at,
      updated: at,
      comments: [],
      attachments: [],
      worklogs: [],
      properties: new Map(),
      histories: [],
      watcherKeys: [user.key],
      voterKeys: [],
      remoteLinks: [],
    };
    for (const prop of body.properties ?? []) issue.properties.set(prop.key, prop.value);
    this.state.issues.set(id, issue);
    this.state.issuesByKey.set(issue.key, issue);
    if (fields.parent !== null) {
      const siblings = this.state.subtasksOf.get(fields.parent) ?? new Set<string>();
      siblings.add(id);
      this.state.subtasksOf.set(fields.parent, siblings);
    }
    this.#emit({ type: 'issue_created', issue, user });
    const comments = (body.update?.comment as { add?: { body?: string } }[] | undefined) ?? [];
    for (const c of comments) if (c.add?.body) this.addComment(user, issue, c.add.body, null, true);
    return issue;
  }

  /** Edit with `fields` (set) and `update` (operations). Records changelog items for changed fields. */
  editIssue(user: User, issue: Issue, body: { fields?: Record<string, unknown>; update?: Record<string, unknown[]> }): void {
    const before = new Map(TRACKED.map((id) => [id, displayValue(this.state, issue, id)]));
    const customBefore = new Map([...issue.fields.custom.keys()].map((id) => [id, displayValue(this.state, issue, id)]));
    const project = this.state.projects.get(issue.fields.project)!;
    const next: IssueFields = {
      ...issue.fields,
      labels: [...issue.fields.labels],
      components: [...issue.fields.components],
      custom: new Map(issue.fields.custom),
    };
    const errors: FieldErrors = {};
    if (body.fields?.project !== undefined) errors.project = "Field 'project' cannot be set. It is not on the appropriate screen, or unknown.";
    applyFieldInput(this.state, next, body.fields ?? {}, errors, false, project);
    const comments: string[] = [];
    for (const [id, ops] of Object.entries(body.update ?? {})) {
      if (!Array.isArray(ops)) {
        errors[id] = 'Update operations must be a list.';
        continue;
      }
      for (const op of ops as Record<string, unknown>[]) {
        const [verb, value] = Object.entries(op)[0] ?? [];
        if (id === 'comment') {
          const b = (value as { body?: unknown })?.body;
          if (verb === 'add' && typeof b === 'string') comments.push(b);
          else errors.comment = 'Comment operations support add with a body.';
          continue;
        }
        if (id === 'labels' && (verb === 'add' || verb === 'remove') && typeof value === 'string') {
          next.labels = verb === 'add' ? [...new Set([...next.labels, value])] : next.labels.filter((l) => l !== value);
          continue;
        }
        if (id === 'components' && (verb === 'add' || verb === 'remove')) {
          const r = value as { id?: string; name?: string };
          const c = project.components.find((x) => x.id === r?.id || x.name === r?.name);
          if (!c) {
            errors.components = `Component name '${r?.name}' is not valid`;
            continue;
          }
          next.components = verb === 'add' ? [...new Set([...next.components, c.id])] : next.components.filter((x) => x !== c.id);
          continue;
        }
        if (verb === 'set') {
          applyFieldInput(this.state, next, { [id]: value }, errors, false, project);
          continue;
        }
        errors[id] = `Field '${id}' does not support the '${verb}' operation.`;
      }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    issue.fields = next;
    const items: ChangeItem[] = [];
    for (const id of TRACKED) {
      const a = before.get(id)!;
      const b = displayValue(this.state, issue, id);
      if (a.raw !== b.raw || a.text !== b.text)
        items.push({ field: id === 'components' ? 'Component' : id, fieldtype: 'jira', from: a.raw, fromString: a.text, to: b.raw, toString: b.text });
    }
    for (const id of new Set([...customBefore.keys(), ...issue.fields.custom.keys()])) {
      const a = customBefore.get(id) ?? { raw: null, text: null };
      const b = displayValue(this.state, issue, id);
      if (a.raw !== b.raw || a.text !== b.text)
        items.push({ field: this.state.fields.get(id)!.name, fieldtype: 'custom', fieldId: id, from: a.raw, fromString: a.text, to: b.raw, toString: b.text });
    }
    const changelog = this.#record(user, issue, items);
    if (changelog) {
      issue.updated = this.#tick(issue);
      const assigned = items.some((i) => i.field === 'assignee');
      this.#emit({ type: 'issue_updated', issue, user, eventTypeName: assigned && items.length === 1 ? 'issue_assigned' : 'issue_updated', changelog });
    }
    for (const b of comments) this.addComment(user, issue, b, null);
  }

  #record(user: User, issue: Issue, items: ChangeItem[]): { id: string; items: ChangeItem[] } | null {
    if (!items.length) return null;
    const history = { id: String(this.state.next('history')), authorKey: user.key, created: this.#tick(issue), items };
    issue.histories.push(history);
    return { id: history.id, items };
  }

  transition(user: User, issue: Issue, transitionId: string, fields: Record<string, unknown>, update: Record<string, unknown[]>): void {
    const t = this.state.transitions.find((x) => x.id === transitionId && x.from.includes(issue.fields.status));
    if (!t) throw new ValidationError({}, [`Transition id '${transitionId}' is not valid for this issue.`]);
    const items: ChangeItem[] = [];
    const errors: FieldErrors = {};
    const rest = { ...fields };
    let resolution = issue.fields.resolution;
    if (rest.resolution !== undefined) {
      if (t.resolution !== 'set') errors.resolution = "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.";
      const r = rest.resolution as { id?: string; name?: string };
      const res = this.state.resolutions.find((x) => x.id === r?.id || x.name === r?.name);
      if (!res) errors.resolution = `Resolution name '${r?.name}' is not valid`;
      else resolution = res.id;
      delete rest.resolution;
    } else if (t.resolution === 'set') {
      resolution = '1';
    }
    if (t.resolution === 'clear') resolution = null;
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const comments = ((update.comment ?? []) as { add?: { body?: string } }[]).map((c) => c.add?.body).filter((b): b is string => typeof b === 'string');
    if (Object.keys(rest).length) this.editIssue(user, issue, { fields: rest });
    const fromStatus = this.state.status(issue.fields.status);
    const toStatus = this.state.status(t.to);
    if (resolution !== issue.fields.resolution) {
      const name = (id: string | null) => this.state.resolutions.find((r) => r.id === id)?.name ?? null;
      items.push({
        field: 'resolution',
        fieldtype: 'jira',
        from: issue.fields.resolution,
        fromString: name(issue.fields.resolution),
        to: resolution,
        toString: name(resolution),
      });
      issue.fields.resolution = resolution;
      issue.fields.resolutiondate = resolution === null ? null : this.#tick(issue);
    }
    items.push({ field: 'status', fieldtype: 'jira', from: fromStatus.id, fromString: fromStatus.name, to: toStatus.id, toString: toStatus.name });
    issue.fields.status = t.to;
    const changelog = this.#record(user, issue, items);
    issue.updated = this.#tick(issue);
    const eventTypeName =
      t.resolution === 'set' ? (t.to === '6' ? 'issue_closed' : 'issue_resolved') : t.resolution === 'clear' ? 'issue_reopened' : 'issue_generic';
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName, changelog });
    for (const b of comments) this.addComment(user, issue, b, null);
  }

  deleteIssue(user: User, issue: Issue, deleteSubtasks: boolean): void {
    const subtasks = this.state.subtasks(issue.id);
    if (subtasks.length && !deleteSubtasks) {
      throw new ValidationError({}, [
        `The issue '${issue.key}' has subtasks.  You must specify the 'deleteSubtasks' parameter to delete this issue and all its subtasks.`,
      ]);
    }
    for (const s of subtasks) this.deleteIssue(user, s, false);
    this.state.issues.delete(issue.id);
    this.state.issuesByKey.delete(issue.key);
    this.state.subtasksOf.delete(issue.id);
    if (issue.fields.parent !== null) this.state.subtasksOf.get(issue.fields.parent)?.delete(issue.id);
    for (const a of issue.attachments) this.state.attachmentIssue.delete(a.id);
    for (const [id, link] of this.state.issueLinks) if (link.inwardId === issue.id || link.outwardId === issue.id) this.state.issueLinks.delete(id);
    this.#emit({ type: 'issue_deleted', issue, user });
  }

  addComment(user: User, issue: Issue, body: string, visibility: Comment['visibility'], silentIssueEvent = false): Comment {
    const at = this.#tick(issue);
    const comment: Comment = {
      id: String(this.state.next('comment')),
      authorKey: user.key,
      updateAuthorKey: user.key,
      body,
      created: at,
      updated: at,
      visibility,
      properties: new Map(),
    };
    issue.comments.push(comment);
    issue.updated = at;
    this.#emit({ type: 'comment', action: 'created', issue, comment, user });
    if (!silentIssueEvent) this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_commented', changelog: null, comment });
    return comment;
  }

  editComment(user: User, issue: Issue, comment: Comment, body: string, visibility: Comment['visibility'] | undefined): void {
    comment.body = body;
    if (visibility !== undefined) comment.visibility = visibility;
    comment.updateAuthorKey = user.key;
    comment.updated = this.#tick(issue);
    issue.updated = comment.updated;
    this.#emit({ type: 'comment', action: 'updated', issue, comment, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_comment_edited', changelog: null, comment });
  }

  deleteComment(user: User, issue: Issue, comment: Comment): void {
    issue.comments = issue.comments.filter((c) => c !== comment);
    // Jira's comment service records the removed text in the issue's history.
    const changelog = this.#record(user, issue, [{ field: 'Comment', fieldtype: 'jira', from: null, fromString: comment.body, to: null, toString: null }]);
    issue.updated = this.#tick(issue);
    this.#emit({ type: 'comment', action: 'deleted', issue, comment, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_comment_deleted', changelog, comment });
  }

  addAttachment(user: User, issue: Issue, filename: string, mimeType: string, content: Buffer): Attachment {
    const attachment: Attachment = {
      id: String(this.state.next('attachment')),
      filename,
      authorKey: user.key,
      created: this.#tick(issue),
      mimeType,
      content,
      issueId: issue.id,
    };
    issue.attachments.push(attachment);
    this.state.attachmentIssue.set(attachment.id, issue.id);
    const changelog = this.#record(user, issue, [
      { field: 'Attachment', fieldtype: 'jira', from: null, fromString: null, to: attachment.id, toString: filename },
    ]);
    issue.updated = this.#tick(issue);
    this.#emit({ type: 'attachment', action: 'created', issue, attachment, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_updated', changelog });
    return attachment;
  }

  deleteAttachment(user: User, issue: Issue, attachment: Attachment): void {
    issue.attachments = issue.attachments.filter((a) => a !== attachment);
    this.state.attachmentIssue.delete(attachment.id);
    const changelog = this.#record(user, issue, [
      { field: 'Attachment', fieldtype: 'jira', from: attachment.id, fromString: attachment.filename, to: null, toString: null },
    ]);
    issue.updated = this.#tick(issue);
    this.#emit({ type: 'attachment', action: 'deleted', issue, attachment, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_updated', changelog });
  }

  addWorklog(user: User, issue: Issue, w: { comment: string; started: number; timeSpentSeconds: number; visibility: Worklog['visibility'] }): Worklog {
    const at = this.#tick(issue);
    const worklog: Worklog = { id: String(this.state.next('worklog')), authorKey: user.key, updateAuthorKey: user.key, created: at, updated: at, ...w };
    issue.worklogs.push(worklog);
    issue.updated = at;
    this.#emit({ type: 'worklog', action: 'created', issue, worklog, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_work_logged', changelog: null });
    return worklog;
  }

  editWorklog(user: User, issue: Issue, worklog: Worklog, changes: Partial<Pick<Worklog, 'comment' | 'started' | 'timeSpentSeconds' | 'visibility'>>): void {
    Object.assign(worklog, changes);
    worklog.updateAuthorKey = user.key;
    worklog.updated = this.#tick(issue);
    issue.updated = worklog.updated;
    this.#emit({ type: 'worklog', action: 'updated', issue, worklog, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_worklog_updated', changelog: null });
  }

  deleteWorklog(user: User, issue: Issue, worklog: Worklog): void {
    issue.worklogs = issue.worklogs.filter((w) => w !== worklog);
    this.state.deletedWorklogs.push({ id: worklog.id, deletedAt: this.now() });
    issue.updated = this.#tick(issue);
    this.#emit({ type: 'worklog', action: 'deleted', issue, worklog, user });
    this.#emit({ type: 'issue_updated', issue, user, eventTypeName: 'issue_worklog_deleted', changelog: null });
  }

  /** Entity properties do not change `updated` in Jira; they only emit their own event. */
  setProperty(user: User, issue: Issue, key: string, value: unknown): boolean {
    const created = !issue.properties.has(key);
    issue.properties.set(key, value);
    this.#emit({ type: 'property', action: 'set', issue, key, user });
    return created;
  }

  deleteProperty(user: User, issue: Issue, key: string): void {
    issue.properties.delete(key);
    this.#emit({ type: 'property', action: 'deleted', issue, key, user });
  }
}

import { createHash } from 'node:crypto';
import type { FieldDefinition, Issue, User } from './model.ts';
import type { JiraState } from './state.ts';

export interface SeedOptions {
  /** Number of issues to create (default 120). */
  issues: number;
  /** "Now" of the seed: issues are spread over the 30 days before it. */
  now: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so every seed is the same Jira. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const hashToken = (raw: string): string => createHash('sha256').update(raw).digest('hex');

function user(key: string, name: string, displayName: string, timeZone: string, groups: string[]): User {
  return {
    key,
    name,
    displayName,
    emailAddress: `${name}@example.com`,
    password: name,
    timeZone,
    active: true,
    groups,
    failedLogins: 0,
    captcha: false,
    tokens: [],
    properties: new Map(),
  };
}

const SYSTEM_FIELDS: [string, string, FieldDefinition['schema'], boolean][] = [
  ['summary', 'Summary', { type: 'string', system: 'summary' }, true],
  ['description', 'Description', { type: 'string', system: 'description' }, true],
  ['environment', 'Environment', { type: 'string', system: 'environment' }, true],
  ['issuetype', 'Issue Type', { type: 'issuetype', system: 'issuetype' }, true],
  ['project', 'Project', { type: 'project', system: 'project' }, true],
  ['status', 'Status', { type: 'status', system: 'status' }, true],
  ['priority', 'Priority', { type: 'priority', system: 'priority' }, true],
  ['resolution', 'Resolution', { type: 'resolution', system: 'resolution' }, true],
  ['resolutiondate', 'Resolved', { type: 'datetime', system: 'resolutiondate' }, true],
  ['assignee', 'Assignee', { type: 'user', system: 'assignee' }, true],
  ['reporter', 'Reporter', { type: 'user', system: 'reporter' }, true],
  ['creator', 'Creator', { type: 'user', system: 'creator' }, true],
  ['labels', 'Labels', { type: 'array', items: 'string', system: 'labels' }, true],
  ['components', 'Component/s', { type: 'array', items: 'component', system: 'components' }, true],
  ['fixVersions', 'Fix Version/s', { type: 'array', items: 'version', system: 'fixVersions' }, true],
  ['versions', 'Affects Version/s', { type: 'array', items: 'version', system: 'versions' }, true],
  ['duedate', 'Due Date', { type: 'date', system: 'duedate' }, true],
  ['created', 'Created', { type: 'datetime', system: 'created' }, true],
  ['updated', 'Updated', { type: 'datetime', system: 'updated' }, true],
  ['issuelinks', 'Linked Issues', { type: 'array', items: 'issuelinks', system: 'issuelinks' }, true],
  ['subtasks', 'Sub-Tasks', { type: 'array', items: 'issuelinks', system: 'subtasks' }, true],
  ['parent', 'Parent', { type: 'issuelink', system: 'parent' }, false],
  ['watches', 'Watchers', { type: 'watches', system: 'watches' }, true],
  ['votes', 'Votes', { type: 'votes', system: 'votes' }, true],
  ['timetracking', 'Time tracking', { type: 'timetracking', system: 'timetracking' }, false],
  ['timespent', 'Time Spent', { type: 'number', system: 'timespent' }, true],
  ['timeestimate', 'Remaining Estimate', { type: 'number', system: 'timeestimate' }, true],
  ['timeoriginalestimate', 'Original Estimate', { type: 'number', system: 'timeoriginalestimate' }, true],
  ['aggregatetimespent', 'Σ Time Spent', { type: 'number', system: 'aggregatetimespent' }, true],
  ['progress', 'Progress', { type: 'progress', system: 'progress' }, true],
  ['workratio', 'Work Ratio', { type: 'number', system: 'workratio' }, true],
  ['attachment', 'Attachment', { type: 'array', items: 'attachment', system: 'attachment' }, false],
  ['comment', 'Comment', { type: 'comments-page', system: 'comment' }, false],
  ['worklog', 'Log Work', { type: 'array', items: 'worklog', system: 'worklog' }, false],
  ['lastViewed', 'Last Viewed', { type: 'datetime', system: 'lastViewed' }, true],
];

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes:';

/** The default seed of jira-server.md §12 and issue #3: users, projects, workflow, fields and issues. */
export function seed(state: JiraState, options: SeedOptions): void {
  const admin = user('JIRAUSER10000', 'admin', 'Administrator', 'UTC', ['jira-administrators', 'jira-users']);
  const jiradev = user('JIRAUSER10100', 'jiradev', 'Jira Dev', 'Europe/Berlin', ['jira-developers', 'jira-users']);
  const kevin = user('JIRAUSER10101', 'kevin', 'Kevin Flynn', 'America/New_York', ['jira-users']);
  for (const u of [admin, jiradev, kevin]) state.users.set(u.key, u);
  state.counters.user = 10101;
  for (const g of ['jira-administrators', 'jira-developers', 'jira-users']) state.groups.set(g, { name: g });

  const types = [
    { id: '10001', name: 'Bug', description: 'A problem which impairs or prevents the functions of the product.', subtask: false, avatarId: 10303 },
    { id: '10002', name: 'Task', description: 'A task that needs to be done.', subtask: false, avatarId: 10318 },
    { id: '10003', name: 'Story', description: 'Created by Jira Software - do not edit or delete.', subtask: false, avatarId: 10315 },
    { id: '10004', name: 'Sub-task', description: 'The sub-task of the issue', subtask: true, avatarId: 10316 },
  ];
  for (const t of types) state.issueTypes.set(t.id, t);
  state.counters.issueType = 10004;

  state.priorities = [
    { id: '1', name: 'Highest', description: 'This problem will block progress.', statusColor: '#d04437' },
    { id: '2', name: 'High', description: 'Serious problem that could block progress.', statusColor: '#f15C75' },
    { id: '3', name: 'Medium', description: 'Has the potential to affect progress.', statusColor: '#f79232' },
    { id: '4', name: 'Low', description: 'Minor problem or easily worked around.', statusColor: '#707070' },
    { id: '5', name: 'Lowest', description: 'Trivial problem with little or no impact on progress.', statusColor: '#999999' },
  ];
  for (const s of [
    { id: '1', name: 'Open', description: 'The issue is open and ready for the assignee to start work on it.', category: 'new' as const },
    { id: '3', name: 'In Progress', description: 'This issue is being actively worked on at the moment by the assignee.', category: 'indeterminate' as const },
    { id: '5', name: 'Resolved', description: 'A resolution has been taken, and it is awaiting verification by reporter.', category: 'done' as const },
    { id: '6', name: 'Closed', description: 'The issue is considered finished, the resolution is correct.', category: 'done' as const },
  ])
    state.statuses.set(s.id, s);
  state.resolutions = [
    { id: '1', name: 'Fixed', description: 'A fix for this issue is checked into the tree and tested.' },
    { id: '2', name: "Won't Fix", description: 'The problem described is an issue which will never be fixed.' },
    { id: '3', name: 'Duplicate', description: 'The problem is a duplicate of an existing issue.' },
    { id: '4', name: 'Incomplete', description: 'The problem is not completely described.' },
    { id: '5', name: 'Cannot Reproduce', description: 'All attempts at reproducing this issue failed.' },
    { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' },
  ];
  state.transitions = [
    { id: '4', name: 'Start Progress', from: ['1'], to: '3', resolution: 'keep', opsbarSequence: 10 },
    { id: '301', name: 'Stop Progress', from: ['3'], to: '1', resolution: 'keep', opsbarSequence: 20 },
    { id: '5', name: 'Resolve Issue', from: ['1', '3'], to: '5', resolution: 'set', opsbarSequence: 30 },
    { id: '2', name: 'Close Issue', from: ['1', '3'], to: '6', resolution: 'set', opsbarSequence: 40 },
    { id: '701', name: 'Close Issue', from: ['5'], to: '6', resolution: 'keep', opsbarSequence: 50 },
    { id: '3', name: 'Reopen Issue', from: ['5', '6'], to: '1', resolution: 'clear', opsbarSequence: 60 },
  ];

  for (const [id, name, schema, navigable] of SYSTEM_FIELDS) {
    state.fields.set(id, {
      id,
      name,
      custom: false,
      orderable:
        ![
          'status',
          'created',
          'updated',
          'creator',
          'resolutiondate',
          'subtasks',
          'watches',
          'votes',
          'timespent',
          'aggregatetimespent',
          'progress',
          'workratio',
          'lastViewed',
          'project',
        ].includes(id) || id === 'project',
      navigable,
      searchable: true,
      schema,
    });
  }
  const custom: [number, string, FieldDefinition['kind'], string, string, string[]?][] = [
    [10100, 'Severity', 'select', 'option', 'select', ['Critical', 'Major', 'Minor']],
    [10101, 'Customer Reference', 'text', 'string', 'textfield'],
    [10102, 'Story Points', 'number', 'number', 'float'],
    [10103, 'Target Date', 'date', 'date', 'datepicker'],
    [10104, 'Support Engineer', 'userpicker', 'user', 'userpicker'],
  ];
  for (const [n, name, kind, type, custTypeName, options] of custom) {
    const id = `customfield_${n}`;
    state.fields.set(id, {
      id,
      name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      kind,
      schema: { type, custom: `${CF}${custTypeName}`, customId: n },
      ...(options && { options: options.map((value, i) => ({ id: String(10200 + (n % 100) * 10 + i), value, disabled: false })) }),
    });
  }
  state.counters.customField = 10104;
  state.counters.option = 10300;

  state.projects.set('10000', {
    id: '10000',
    key: 'CE',
    name: 'Customer Escalations',
    description: 'Escalations from customers',
    leadKey: kevin.key,
    projectTypeKey: 'software',
    components: [{ id: '10000', name: 'Console', description: 'The web console', leadKey: null }],
    versions: [],
    issueTypeIds: ['10001', '10002', '10003', '10004'],
    nextIssueNumber: 1,
    browseGroups: [],
    archived: false,
  });
  state.projects.set('10001', {
    id: '10001',
    key: 'HELP',
    name: 'Help Desk',
    description: 'Internal help desk',
    leadKey: admin.key,
    projectTypeKey: 'service_desk',
    components: [{ id: '10001', name: 'Hardware', description: '', leadKey: null }],
    versions: [],
    issueTypeIds: ['10001', '10002', '10004'],
    nextIssueNumber: 1,
    browseGroups: [],
    archived: false,
  });
  // Visible to administrators only: the emulator's "issue exists but you may not see it" case.
  state.projects.set('10002', {
    id: '10002',
    key: 'SEC',
    name: 'Security',
    description: 'Restricted security reports',
    leadKey: admin.key,
    projectTypeKey: 'software',
    components: [],
    versions: [],
    issueTypeIds: ['10001', '10002'],
    nextIssueNumber: 1,
    browseGroups: ['jira-administrators'],
    archived: false,
  });
  state.counters.project = 10002;
  state.counters.component = 10001;

  seedIssues(state, options);
}

const SUMMARIES = [
  'Printer on fire',
  'Login page slow',
  'Export fails for large files',
  'Typo on invoice',
  'VPN drops every hour',
  'Dashboard shows stale data',
  'Password reset e-mail missing',
  'Search ignores accents',
  'Upload stuck at 99%',
  'Dark mode contrast too low',
];
const LABELS = ['hw', 'sw', 'urgent', 'customer', 'triaged'];

function seedIssues(state: JiraState, { issues: count, now }: SeedOptions): void {
  const rnd = prng(42);
  const users = [...state.users.values()];
  const span = 30 * 24 * 3600_000;
  const heavy = count <= 2000;
  for (let i = 0; i < count; i++) {
    const project = i % 10 === 9 ? state.projects.get('10002')! : i % 3 === 2 ? state.projects.get('10001')! : state.projects.get('10000')!;
    // Evenly spread creation times, oldest first, with seconds that are not zero (minute-precision checks).
    const created = now - span + Math.floor((span * i) / count) + Math.floor(rnd() * 50_000);
    const reporter = users[Math.floor(rnd() * users.length)]!;
    const assignee = rnd() < 0.7 ? users[Math.floor(rnd() * users.length)]! : null;
    const id = String(state.next('issue'));
    const number = project.nextIssueNumber++;
    const typeId = project.issueTypeIds.filter((t) => t !== '10004')[Math.floor(rnd() * 2)]!;
    const issue: Issue = {
      id,
      key: `${project.key}-${number}`,
      number,
      created,
      updated: created,
      fields: {
        summary: `${SUMMARIES[i % SUMMARIES.length]} #${i + 1}`,
        description: rnd() < 0.8 ? `h2. Steps\n* step one for issue ${i + 1}\n* step two` : null,
        environment: null,
        issuetype: typeId,
        project: project.id,
        status: '1',
        priority: String(1 + Math.floor(rnd() * 5)),
        resolution: null,
        resolutiondate: null,
        assignee: assignee?.key ?? null,
        reporter: reporter.key,
        creator: reporter.key,
        labels: rnd() < 0.5 ? [LABELS[Math.floor(rnd() * LABELS.length)]!] : [],
        components: project.components.length && rnd() < 0.4 ? [project.components[0]!.id] : [],
        duedate: null,
        parent: null,
        custom: new Map(),
      },
      comments: [],
      attachments: [],
      worklogs: [],
      properties: new Map(),
      histories: [],
      watcherKeys: [reporter.key],
      voterKeys: [],
      remoteLinks: [],
    };
    if (rnd() < 0.5) issue.fields.custom.set('customfield_10100', state.fields.get('customfield_10100')!.options![Math.floor(rnd() * 3)]!.id);
    if (rnd() < 0.3) issue.fields.custom.set('customfield_10102', Math.floor(rnd() * 13));
    if (rnd() < 0.2) issue.fields.custom.set('customfield_10101', `REF-${1000 + i}`);
    let t = created;
    const step = () => (t = Math.min(now - 1000, t + 60_000 + Math.floor(rnd() * 3 * 3600_000)));
    if (heavy && rnd() < 0.5) {
      const author = users[Math.floor(rnd() * users.length)]!;
      const at = step();
      issue.comments.push({
        id: String(state.next('comment')),
        authorKey: author.key,
        updateAuthorKey: author.key,
        body: `Looking into it (${i + 1})`,
        created: at,
        updated: at,
        visibility: null,
        properties: new Map(),
      });
      issue.updated = at;
    }
    if (heavy && rnd() < 0.4) {
      const at = step();
      issue.histories.push({
        id: String(state.next('history')),
        authorKey: (assignee ?? reporter).key,
        created: at,
        items: [{ field: 'status', fieldtype: 'jira', from: '1', fromString: 'Open', to: '3', toString: 'In Progress' }],
      });
      issue.fields.status = '3';
      issue.updated = at;
      if (rnd() < 0.4) {
        const done = step();
        issue.histories.push({
          id: String(state.next('history')),
          authorKey: (assignee ?? reporter).key,
          created: done,
          items: [
            { field: 'resolution', fieldtype: 'jira', from: null, fromString: null, to: '1', toString: 'Fixed' },
            { field: 'status', fieldtype: 'jira', from: '3', fromString: 'In Progress', to: '5', toString: 'Resolved' },
          ],
        });
        issue.fields.status = '5';
        issue.fields.resolution = '1';
        issue.fields.resolutiondate = done;
        issue.updated = done;
      }
    }
    if (heavy && rnd() < 0.15) {
      const at = step();
      const content = Buffer.from(`log line for issue ${issue.key}\n`.repeat(3));
      const attachmentId = String(state.next('attachment'));
      issue.attachments.push({ id: attachmentId, filename: 'log.txt', authorKey: reporter.key, created: at, mimeType: 'text/plain', content, issueId: id });
      state.attachmentIssue.set(attachmentId, id);
      issue.updated = at;
    }
    if (heavy && rnd() < 0.2) {
      const at = step();
      issue.worklogs.push({
        id: String(state.next('worklog')),
        authorKey: reporter.key,
        updateAuthorKey: reporter.key,
        comment: 'Investigated',
        created: at,
        updated: at,
        started: at - 3600_000,
        timeSpentSeconds: 5400,
        visibility: null,
      });
      issue.updated = at;
    }
    state.issues.set(id, issue);
    state.issuesByKey.set(issue.key, issue);
  }
}

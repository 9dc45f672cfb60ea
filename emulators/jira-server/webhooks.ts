import type { DomainEvent } from './state/domain.ts';
import type { Issue, WebhookDelivery, WebhookRegistration } from './state/model.ts';
import type { Serializer } from './serialize/beans.ts';
import { issueBean } from './serialize/issue.ts';
import type { EmulatorConfig } from './config.ts';
import type { JiraState } from './state/state.ts';
import { parseJql } from './jql/parser.ts';
import { compileWhere } from './jql/compile.ts';

interface Pending {
  hook: WebhookRegistration;
  url: string;
  event: string;
  body: unknown;
}

/**
 * Turns domain events into webhook deliveries (jira-server.md §5.3): matching registrations by
 * event name and JQL filter (evaluated on the post-change issue), substituting URL variables,
 * and POSTing the payload. Jira 9 delivers inside the request (the route awaits `flush`);
 * Jira 10+ delivers afterwards from a pool (here: after `delayMs`).
 */
export class WebhookDispatcher {
  #pending: Pending[] = [];
  #inflight = new Set<Promise<void>>();

  constructor(
    private readonly state: JiraState,
    private readonly config: () => EmulatorConfig,
    private readonly serializer: () => Serializer,
    private readonly now: () => number,
  ) {}

  handle(event: DomainEvent): void {
    for (const hook of this.state.webhooks.values()) {
      if (!hook.enabled) continue;
      for (const [name, body] of this.#payloads(event)) {
        if (!hook.events.includes(name)) continue;
        if (event.issue && hook.jql && !this.#matches(hook.jql, event.issue, event.user.key)) continue;
        this.#pending.push({ hook, url: this.#url(hook.url, event), event: name, body: hook.excludeBody ? undefined : body });
      }
    }
    if (this.config().profile.asyncWebhooks) void this.flush();
  }

  /** Sends what is pending. Synchronous profiles await this before answering the request. */
  async flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    const delay = this.config().webhooks.delayMs;
    const work = (async () => {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      for (const p of batch) await this.#deliver(p);
    })();
    this.#inflight.add(work);
    try {
      await work;
    } finally {
      this.#inflight.delete(work);
    }
  }

  /** Waits for every delivery under way (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#inflight.size || this.#pending.length) {
      if (this.#pending.length) await this.flush();
      await Promise.all([...this.#inflight]);
    }
  }

  #matches(jql: string, issue: Issue, userKey: string): boolean {
    try {
      const user = this.state.userByKey(userKey)!;
      const pred = compileWhere(parseJql(jql).where, { state: this.state, user, now: this.now(), validate: false, warnings: [] });
      return pred(issue);
    } catch {
      return false;
    }
  }

  #url(template: string, event: DomainEvent): string {
    const vars: Record<string, string> = {};
    if (event.issue) {
      vars['issue.id'] = event.issue.id;
      vars['issue.key'] = event.issue.key;
      const project = this.state.projects.get(event.issue.fields.project);
      if (project) {
        vars['project.id'] = project.id;
        vars['project.key'] = project.key;
      }
    }
    if (event.type === 'comment') vars['comment.id'] = event.comment.id;
    if (event.type === 'worklog') vars['worklog.id'] = event.worklog.id;
    if (event.type === 'attachment') vars['attachment.id'] = event.attachment.id;
    return template.replace(/\$\{([a-zA-Z.]+)\}/g, (m, name: string) => vars[name] ?? m);
  }

  #payloads(event: DomainEvent): [string, unknown][] {
    const ser = this.serializer();
    const timestamp = this.now();
    const user = ser.user(event.user);
    const issue = () => issueBean(ser, event.issue, { fields: ['*all'], expand: [], properties: [], viewerKey: event.user.key }, '*all');
    switch (event.type) {
      case 'issue_created':
        return [['jira:issue_created', { timestamp, webhookEvent: 'jira:issue_created', issue_event_type_name: 'issue_created', user, issue: issue() }]];
      case 'issue_updated': {
        const body: Record<string, unknown> = {
          timestamp,
          webhookEvent: 'jira:issue_updated',
          issue_event_type_name: event.eventTypeName,
          user,
          issue: issue(),
        };
        if (event.changelog) body.changelog = event.changelog;
        if (event.comment) body.comment = ser.comment(event.issue.id, event.comment);
        return [['jira:issue_updated', body]];
      }
      case 'issue_deleted':
        return [['jira:issue_deleted', { timestamp, webhookEvent: 'jira:issue_deleted', issue_event_type_name: 'issue_deleted', user, issue: issue() }]];
      case 'comment':
        return [[`comment_${event.action}`, { timestamp, webhookEvent: `comment_${event.action}`, comment: ser.comment(event.issue.id, event.comment) }]];
      case 'worklog':
        return [[`worklog_${event.action}`, { timestamp, webhookEvent: `worklog_${event.action}`, worklog: ser.worklog(event.issue.id, event.worklog) }]];
      case 'attachment':
        return [[`attachment_${event.action}`, { timestamp, webhookEvent: `attachment_${event.action}`, attachment: ser.attachment(event.attachment) }]];
      case 'property':
        return [
          [
            `issue_property_${event.action}`,
            {
              timestamp,
              webhookEvent: `issue_property_${event.action}`,
              property: { key: event.key, value: event.issue.properties.get(event.key) ?? null },
              issue: { id: event.issue.id, key: event.issue.key },
            },
          ],
        ];
    }
  }

  async #deliver(p: Pending): Promise<void> {
    const cfg = this.config().webhooks;
    const record: WebhookDelivery = {
      id: this.state.next('delivery'),
      webhookId: p.hook.id,
      url: p.url,
      event: p.event,
      body: p.body,
      status: null,
      error: null,
      at: this.now(),
    };
    this.state.deliveries.push(record);
    if (this.state.deliveries.length > 10_000) this.state.deliveries.splice(0, this.state.deliveries.length - 10_000);
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8', 'user-agent': 'Atlassian HttpClient' };
    if (cfg.sendAtlassianHeaders) {
      headers['X-Atlassian-Webhook-Identifier'] = String(record.id);
      headers['X-Atlassian-Webhook-Flow'] = 'Primary';
    }
    for (let attempt = 0; attempt <= cfg.retries; attempt++) {
      try {
        const res = await fetch(p.url, {
          method: 'POST',
          headers,
          body: p.body === undefined ? undefined : JSON.stringify(p.body),
          signal: AbortSignal.timeout(cfg.timeoutMs),
        });
        await res.arrayBuffer();
        record.status = res.status;
        if (res.ok) {
          p.hook.stats.successes++;
          return;
        }
        p.hook.stats.failures++;
      } catch (err) {
        record.error = (err as Error).message;
        p.hook.stats.errors++;
        p.hook.stats.lastError = record.error;
      }
    }
  }
}

import { expect } from 'vitest';
import type { JiraClient } from './jira-client.ts';
import { call } from './test-server.ts';

/** What a test's `jiraonprem` instance is made with, beside its Jira and Jira's admin. */
export interface JiraInstanceOptions {
  name?: string;
  /** Configuration keys over `username`/`password` `admin` and the `siteAddress`. */
  configuration?: Readonly<Record<string, unknown>>;
  /** Instance members beside the configuration (`tags`, `cachingEnabled`, …). */
  settings?: Readonly<Record<string, unknown>>;
}

/** An instance as `POST /instances` answers it; the members tests read. */
export interface CreatedInstance {
  id: number;
  token: string;
  [member: string]: unknown;
}

/** Makes a `jiraonprem` instance on the Jira at `siteAddress`, as its admin, through `api`; fails the test unless it is made. */
export async function createJiraInstance(api: string, authorization: string, siteAddress: string, options: JiraInstanceOptions = {}): Promise<CreatedInstance> {
  const res = await call<CreatedInstance>(`${api}/instances`, {
    method: 'POST',
    headers: { authorization },
    json: {
      element: { key: 'jiraonprem' },
      name: options.name ?? 'test',
      ...options.settings,
      configuration: { username: 'admin', password: 'admin', siteAddress, ...options.configuration },
    },
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The configuration keys of an instance that Jira's webhooks notify, delivering to `callbackUrl`. */
export const webhookEvents = (callbackUrl: string) => ({
  'event.notification.enabled': true,
  'event.vendor.type': 'webhook',
  'event.notification.callback.url': callbackUrl,
});

/** Creates a Task in a project of the emulator through its REST API; resolves to its id and key. */
export async function createIssue(jira: JiraClient, summary: string, project = 'HELP'): Promise<{ id: string; key: string }> {
  const res = await jira.post<{ id: string; key: string }>('/rest/api/2/issue', {
    fields: { project: { key: project }, issuetype: { name: 'Task' }, summary },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

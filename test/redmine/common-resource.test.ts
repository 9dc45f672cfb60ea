import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withEmulator } from '../helpers/jira-client.ts';
import { seedRedmine, startRedmine, type RedmineSeed, type RunningRedmine } from '../helpers/redmine.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * One client, two helpdesks: an organization defines `myTicket` once, maps it for jiraonprem and
 * for redmine, and the same calls then work with either instance's token (docs/transformations.md).
 */
const template = inject('redmineTemplate');
let redmine: RunningRedmine;
let seed: RedmineSeed;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let server: TestServer;
const tokens: Record<string, string> = {};

const org = (path: string, json: unknown) => call(`${server.api}${path}`, { method: 'POST', headers: { authorization: server.auth }, json });
const myTicket = (element: string, path = '', init: { method?: string; json?: unknown } = {}) =>
  call(`${server.api}/hubs/helpdesk/myTicket${path}`, { ...init, headers: { authorization: `${server.auth}, Element ${tokens[element]}` } });

describe.skipIf(!template)('a common resource over jiraonprem and redmine', () => {
  beforeAll(async () => {
    redmine = await startRedmine(template);
    seed = await seedRedmine(redmine.baseUrl, 3);
    jira = await withEmulator({ seedIssues: 3 });
    server = await startTestServer();
    for (const [element, configuration] of [
      ['jiraonprem', { username: 'admin', password: 'admin', siteAddress: jira.baseUrl }],
      ['redmine', { siteAddress: redmine.baseUrl, apiKey: seed.apiKey }],
    ] as const) {
      const created = await org('/instances', { element: { key: element }, name: element, configuration });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      tokens[element] = created.body.token;
    }
    expect(
      (
        await org('/organizations/objects/myTicket/definitions', {
          fields: [
            { path: 'id', type: 'string' },
            { path: 'title', type: 'string' },
          ],
        })
      ).status,
    ).toBe(200);
    const jiraMap = await org('/organizations/elements/jiraonprem/transformations/myTicket', {
      vendorName: 'issue',
      fields: [
        { path: 'id', vendorPath: 'id' },
        { path: 'title', vendorPath: 'fields.summary' },
      ],
    });
    expect(jiraMap.status, JSON.stringify(jiraMap.body)).toBe(200);
    const redmineMap = await org('/organizations/elements/redmine/transformations/myTicket', {
      vendorName: 'issue',
      fields: [
        { path: 'id', vendorPath: 'id' },
        { path: 'title', vendorPath: 'subject' },
      ],
    });
    expect(redmineMap.status, JSON.stringify(redmineMap.body)).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await jira?.close();
    await redmine?.close();
  });

  it('lists, creates, reads and changes tickets in one shape with either token', async () => {
    for (const [element, extra] of [
      ['jiraonprem', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' } } }],
      ['redmine', { project_id: seed.projectId, tracker_id: 1 }],
    ] as const) {
      const list = await myTicket(element);
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      expect(list.body.length).toBeGreaterThanOrEqual(3);
      for (const t of list.body) expect(Object.keys(t).sort()).toEqual(['id', 'title']);
      // The members a mapping does not name pass to the vendor: each takes its own placement.
      const created = await myTicket(element, '', { method: 'POST', json: { title: `made through ${element}`, ...extra } });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body).toEqual({ id: expect.anything(), title: `made through ${element}` });
      const changed = await myTicket(element, `/${created.body.id}`, { method: 'PATCH', json: { title: `changed through ${element}` } });
      expect(changed.body).toEqual({ id: created.body.id, title: `changed through ${element}` });
      expect((await myTicket(element, `/${created.body.id}`)).body.title).toBe(`changed through ${element}`);
    }
    // Each vendor holds its own ticket, in its own words.
    expect((await jira.jira.get('/rest/api/2/search?jql=summary~"changed through jiraonprem"')).body.total).toBe(1);
    const inRedmine = await fetch(`${redmine.baseUrl}/issues.json?status_id=*&subject=~changed through redmine`, {
      headers: { 'x-redmine-api-key': seed.apiKey },
    });
    expect(((await inRedmine.json()) as { total_count: number }).total_count).toBe(1);
  });
});

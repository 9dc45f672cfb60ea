import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { createJiraInstance } from '../helpers/jira-instances.ts';
import { helpdeskConformance, type HelpdeskTarget } from '../../src/hubs/helpdesk/conformance.ts';

/**
 * The helpdesk conformance suite, run against each helpdesk element. jiraonprem runs against the
 * Jira emulator; the next element runs the same checks against its own server.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;
let target: HelpdeskTarget;

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator({ seedIssues: 30 });
  const created = await createJiraInstance(server.api, server.auth, jira.baseUrl, { name: 'conformance' });
  const element = server.services.registry.module('jiraonprem')!;
  target = {
    hub: `${server.api}/hubs/helpdesk`,
    authorization: `${server.auth}, Element ${created.token}`,
    operations: new Set([
      ...element.hub!.operations.map((op) => `${op.method} ${op.path}`),
      ...Object.keys(element.hub!.bulkExport ?? {}).map((name) => `BULK export ${name}`),
      ...Object.keys(element.hub!.bulkImport ?? {}).map((name) => `BULK import ${name}`),
    ]),
    newIncident: (summary) => ({ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary } }),
    changeIncident: (summary) => ({ fields: { summary } }),
    newComment: (text) => ({ body: text }),
    seededIncidents: 30,
  };
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

describe('helpdesk conformance: jiraonprem (Jira emulator)', () => {
  for (const check of helpdeskConformance) {
    it(check.name, async () => {
      const missing = check.needs.filter((op) => !target.operations.has(op));
      // jiraonprem implements every operation a check needs; a later element may not.
      expect(missing, `jiraonprem lacks ${missing.join(', ')}`).toEqual([]);
      await check.run(target);
    });
  }
});

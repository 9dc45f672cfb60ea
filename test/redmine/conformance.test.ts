import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { element } from '../../src/elements/redmine/element.ts';
import { helpdeskConformance, type HelpdeskTarget } from '../../src/hubs/helpdesk/conformance.ts';
import { seedRedmine, startRedmine, type RedmineSeed, type RunningRedmine } from '../helpers/redmine.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';

/** The helpdesk conformance suite, unchanged, against redmine on a real Redmine server. */
const template = inject('redmineTemplate');
let redmine: RunningRedmine;
let seed: RedmineSeed;
let server: TestServer;
let target: HelpdeskTarget;
const operations = new Set([
  ...element.hub!.operations.map((op) => `${op.method} ${op.path}`),
  ...Object.keys(element.hub!.bulkExport ?? {}).map((name) => `BULK export ${name}`),
  ...Object.keys(element.hub!.bulkImport ?? {}).map((name) => `BULK import ${name}`),
]);

describe.skipIf(!template)('helpdesk conformance: redmine (Redmine from Debian)', () => {
  beforeAll(async () => {
    redmine = await startRedmine(template);
    seed = await seedRedmine(redmine.baseUrl, 30);
    server = await startTestServer();
    const created = await call(`${server.api}/instances`, {
      method: 'POST',
      headers: { authorization: server.auth },
      json: { element: { key: 'redmine' }, name: 'conformance', configuration: { siteAddress: redmine.baseUrl, apiKey: seed.apiKey } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    target = {
      hub: `${server.api}/hubs/helpdesk`,
      authorization: `${server.auth}, Element ${created.body.token}`,
      operations,
      newIncident: (subject) => ({ project_id: seed.projectId, tracker_id: 1, subject }),
      changeIncident: (subject) => ({ subject }),
      newComment: (text) => ({ notes: text }),
      seededIncidents: 30,
    };
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await redmine?.close();
  });

  // Redmine issues carry no property a bulk import could mark its rows with, so redmine serves no
  // bulk import (and does not advertise one): the checks that need it are skipped, and no other.
  it('lacks no operation a check needs but bulk import', () => {
    expect([...new Set(helpdeskConformance.flatMap((c) => c.needs).filter((op) => !operations.has(op)))]).toEqual(['BULK import incidents']);
  });
  for (const check of helpdeskConformance) {
    const missing = check.needs.filter((op) => !operations.has(op));
    it.skipIf(missing.length > 0)(`${check.name}${missing.length ? ` (redmine lacks ${missing.join(', ')})` : ''}`, () => check.run(target));
  }
});

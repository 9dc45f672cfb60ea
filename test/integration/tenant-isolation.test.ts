import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logEvent } from '../helpers/event-log.ts';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { withEmulator } from '../helpers/jira-client.ts';

/**
 * Every route of the route table, called by organization B with organization A's ids, names and
 * instance token: nothing of A's answers 2xx, no answer carries A's data, and A's rows are the
 * same afterwards. Generated from the table, so a new route is covered the day it is added.
 */
let server: TestServer;
let jira: Awaited<ReturnType<typeof withEmulator>>;

const A = {
  instanceName: `tenant-a-instance-${randomUUID().slice(0, 8)}`,
  accountName: `tenant-a-account-${randomUUID().slice(0, 8)}`,
  userEmail: `tenant-a-${randomUUID().slice(0, 8)}@example.com`,
  objectName: `tenantA${randomUUID().slice(0, 8).replace(/-/g, '')}`,
  instanceId: 0,
  token: '',
  accountId: 0,
  eventId: randomUUID(),
  organizationId: 0,
  jobId: '',
  notificationId: '',
  subscriptionId: '',
};
const TABLES = [
  'instances',
  'accounts',
  'users',
  'object_definitions',
  'transformations',
  'events',
  'deliveries',
  'event_sources',
  'scheduled_jobs',
  'notifications',
  'notification_subscriptions',
  'notification_deliveries',
] as const;

async function rowsOfA(): Promise<string> {
  const db = server.store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = await db.selectFrom(table).selectAll().where('organization_id', '=', A.organizationId).execute();
  }
  return JSON.stringify(out);
}

beforeAll(async () => {
  server = await startTestServer();
  jira = await withEmulator();
  const asA = { authorization: server.auth };
  const send = (method: string, path: string, json: unknown) => call(`${server.api}${path}`, { method, headers: asA, json });
  const instance = await send('POST', '/instances', {
    element: { key: 'jiraonprem' },
    name: A.instanceName,
    tags: [A.instanceName],
    configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
  });
  expect(instance.status).toBe(200);
  A.instanceId = instance.body.id;
  A.token = instance.body.token;
  const account = await send('POST', '/accounts', { name: A.accountName, externalId: A.accountName });
  expect(account.status).toBe(200);
  A.accountId = account.body.id;
  expect((await send('POST', `/accounts/${A.accountId}/users`, { email: A.userEmail, firstName: 'Tenant', lastName: 'A' })).status).toBe(200);
  const definition = { fields: [{ path: 'title', type: 'string' }] };
  expect((await send('POST', `/organizations/objects/${A.objectName}/definitions`, definition)).status).toBe(200);
  expect((await send('POST', `/accounts/${A.accountId}/objects/${A.objectName}/definitions`, definition)).status).toBe(200);
  expect(
    (
      await send('POST', `/organizations/elements/jiraonprem/transformations/${A.objectName}`, {
        vendorName: 'issue',
        fields: [{ path: 'title', type: 'string', vendorPath: 'fields.summary' }],
      })
    ).status,
  ).toBe(200);
  const job = await call(`${server.api}/jobs`, {
    method: 'POST',
    headers: { authorization: `${server.auth}, Element ${A.token}` },
    json: { method: 'GET', uri: '/elements/api-v2/hubs/helpdesk/priorities', name: A.instanceName, trigger: { cron: '0 0 0 1 1 ?' } },
  });
  expect(job.status).toBe(200);
  A.jobId = job.body.id;
  // A subscription, and a notification on another topic: nothing is delivered, so A's rows stay still.
  const subscription = await send('POST', '/notifications/subscriptions', {
    channel: 'webhook',
    topics: [A.instanceName],
    config: { url: 'http://127.0.0.1:9/hook' },
  });
  expect(subscription.status).toBe(200);
  A.subscriptionId = subscription.body.id;
  const notification = await send('POST', '/notifications', { topic: `${A.instanceName}-other`, message: A.instanceName });
  expect(notification.status).toBe(200);
  A.notificationId = notification.body.id;
  A.organizationId = (
    await server.store.db.selectFrom('instances').select('organization_id').where('id', '=', A.instanceId).executeTakeFirstOrThrow()
  ).organization_id;
  const now = new Date().toISOString();
  await logEvent(server.store, { organizationId: A.organizationId, instanceId: A.instanceId, at: now, id: A.eventId, objectId: A.instanceName });
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
}

/** Values that make common members mean something (a field's type, a vendor object's name). */
const HINTS: Record<string, unknown> = { type: 'string', path: 'title', vendorPath: 'fields.summary', vendorName: 'issue', email: 'taken-by-b@example.com' };

/**
 * A small value that fits a body schema: the required members, each a plausible value, and a
 * `name` when there is one. A write that should be refused then gets past validation, so what
 * refuses it is the check that B may not touch A's data.
 */
function sample(schema: JsonSchema, member?: string): unknown {
  if (member !== undefined && member in HINTS) return HINTS[member];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf[0]!);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of new Set([...(schema.required ?? []), ...('name' in (schema.properties ?? {}) ? ['name'] : [])])) {
        out[key] = sample(schema.properties?.[key] ?? {}, key);
      }
      return out;
    }
    case 'array':
      return schema.items ? [sample(schema.items)] : [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return 'taken-by-b';
    default:
      return {};
  }
}

/** A's value for a path parameter, by its name and the segment before it. */
function valueFor(param: string, before: string): string {
  switch (param) {
    case 'id':
      if (before === 'accounts') return String(A.accountId);
      if (before === 'instances') return String(A.instanceId);
      if (before === 'jobs') return A.jobId;
      if (before === 'notifications') return A.notificationId;
      if (before === 'subscriptions') return A.subscriptionId;
      return 'CE-1';
    case 'emailOrId':
      return A.userEmail;
    case 'keyOrId':
      return 'jiraonprem';
    case 'hub':
      return 'helpdesk';
    case 'name':
      return A.objectName;
    case 'eventId':
      return A.eventId;
    case 'instance':
      return Buffer.from(String(A.instanceId)).toString('base64');
    case 'secret':
      return 'not-the-secret';
    default:
      return '1';
  }
}

/** The hub catalog and an element's or a hub's API document are everybody's; every other hub (or bulk) route is a call through an instance token. */
const CATALOG = /^\/elements\/api-v2\/(hubs(\/keys|\/:hub|\/:hub\/elements)?|elements\/:keyOrId\/docs|docs\/:hub)$/;
const hubCall = (route: { url: string; schema: Record<string, unknown> | undefined }) =>
  ((route.schema?.tags as string[] | undefined) ?? []).some((tag) => tag === 'hubs' || tag === 'bulk') && !CATALOG.test(route.url);
/** The `/instances/…` forms that act on the instance of the `Element` token. */
const TOKEN_SCOPED = /^\/elements\/api-v2\/instances\/(configuration|objects|docs|transformations)/;

/** The parameters that name A's own data (an element key or a hub name is nobody's). */
const NAMES_A = new Set(['id', 'emailOrId', 'eventId', 'instance', 'commentId', 'historyId', 'key', 'worklogId', 'configId']);

describe('tenant isolation, generated from the route table', () => {
  it("gives organization B nothing of organization A's through any route, and changes nothing of it", async () => {
    const other = await server.services.tenancy.createOrganization({ name: 'Tenant B', adminEmail: `tenant-b-${randomUUID().slice(0, 8)}@example.com` });
    const asB = `User ${other.userSecret}, Organization ${other.organizationSecret}, Element ${A.token}`;
    const before = await rowsOfA();
    const markers = [A.instanceName, A.accountName, A.userEmail, A.token, A.eventId];
    const leaks: string[] = [];
    let called = 0;
    const routes = server.app.routeTable.filter((r) => !r.hidden && r.url.startsWith('/elements/api-v2/'));
    for (const route of routes) {
      const segments = route.url.split('/');
      const namesA = segments.some((s) => s.startsWith(':') && NAMES_A.has(s.slice(1)));
      const path = segments.map((s, i) => (s.startsWith(':') ? encodeURIComponent(valueFor(s.slice(1), segments[i - 1] ?? '')) : s)).join('/');
      const body = route.method === 'GET' || route.method === 'DELETE' || !route.schema?.body ? undefined : (sample(route.schema.body as JsonSchema) as object);
      for (const authorization of [asB, `User ${other.userSecret}, Element ${A.token}`]) {
        const res = await call(`${server.origin}${path}`, { method: route.method, headers: { authorization }, ...(body && { json: body }) });
        called++;
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        // A refusal may repeat what the request itself said ("No user found with email …").
        const sent = decodeURIComponent(path);
        const found = markers.filter((m) => text.includes(m) && (res.status < 400 || !sent.includes(m)));
        if (found.length) leaks.push(`${route.method} ${path}: ${res.status} answer shows ${found.join(', ')}`);
        // A route that names A's data, and every call that acts through A's token, must refuse B.
        const addressesA = namesA || hubCall(route) || TOKEN_SCOPED.test(route.url);
        if (addressesA && res.status >= 200 && res.status < 300) leaks.push(`${route.method} ${path}: ${res.status} for organization B`);
        if (res.status >= 500) leaks.push(`${route.method} ${path}: ${res.status}`);
      }
    }
    console.log(`tenant isolation: ${routes.length} routes, ${called} calls as organization B`);
    expect(leaks).toEqual([]);
    expect(await rowsOfA()).toBe(before);
    expect(routes.length).toBeGreaterThan(200);
  });
});

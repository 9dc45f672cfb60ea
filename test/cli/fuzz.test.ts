import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { request } from 'undici';
import { newTestStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { bannerSecrets, startSwitchboard, type RunningProcess } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { wholeNumberFromEnv } from '../helpers/env-number.ts';

/**
 * Random and adversarial requests to every route of the server's own API document, against a
 * real switchboard process and the Jira emulator: odd path ids, query parameters and CEQL,
 * Authorization headers, content types, JSON bodies of any type and depth, and multipart. No
 * answer is a 5xx or takes a second, no answer or log line shows a secret, and the process
 * serves on afterwards. The seed is fixed so that a run is repeatable; FUZZ_SEED and FUZZ_RUNS
 * explore further.
 */
const SEED = wholeNumberFromEnv('FUZZ_SEED', 20261130);
const RUNS = wholeNumberFromEnv('FUZZ_RUNS', 500);

let jira: Awaited<ReturnType<typeof withEmulator>>;
let server: RunningProcess;
let api = '';
const secrets = {
  jiraPassword: `fuzz-${randomBytes(8).toString('hex')}`,
  signatureKey: `sig-${randomBytes(8).toString('hex')}`,
  callbackPassword: `cb-${randomBytes(8).toString('hex')}`,
  organization: '',
  user: '',
  token: '',
  instanceId: 0,
};
interface Operation {
  method: string;
  path: string;
}
let operations: Operation[] = [];

beforeAll(async () => {
  jira = await withEmulator();
  await jira.jira.post('/rest/api/2/user', { name: 'fuzzer', password: secrets.jiraPassword, emailAddress: 'fuzzer@example.com', displayName: 'Fuzzer' });
  const target = await newTestStore();
  server = startSwitchboard(['serve'], {
    SWITCHBOARD_DATA_DIR: target.dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
  });
  const [, base] = await server.waitFor(/listening on (http:\/\/\S+)/);
  api = base!;
  Object.assign(secrets, bannerSecrets(server.output()));
  const created = await call(`${api}/instances`, {
    method: 'POST',
    headers: { authorization: `User ${secrets.user}, Organization ${secrets.organization}` },
    json: {
      element: { key: 'jiraonprem' },
      name: 'fuzzed',
      configuration: {
        username: 'fuzzer',
        password: secrets.jiraPassword,
        siteAddress: jira.baseUrl,
        'event.notification.enabled': true,
        'event.notification.callback.url': `http://hook:${secrets.callbackPassword}@127.0.0.1:9/cb`,
        'event.notification.signature.key': secrets.signatureKey,
      },
    },
  });
  expect(created.status).toBe(200);
  secrets.token = created.body.token;
  secrets.instanceId = created.body.id;
  const doc = (await call(`${api}/openapi.json`)).body as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await jira?.close();
});

const auth = () => `User ${secrets.user}, Organization ${secrets.organization}`;
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '..', '.', '%2e%2e', '__proto__', 'constructor', '-1', '0', '99999999999999999999', 'CE-1', '1e3', 'null', '%00', ' ', 'a'.repeat(5000)),
);
const ceql = fc.oneof(
  text,
  fc.constantFrom(
    "name = 'x'",
    "name LIKE '%a%a%a%a%a%a%a%a%a%b'",
    "a = 'x' and (b = 'y' or c in ('1','2'))",
    "summary = 'x\\' or 1=1 --'",
    'created > 2020-01-01',
    '((((((((((((((((((((x = 1))))))))))))))))))))',
    `id in (${"'1',".repeat(500)}'2')`,
    'x = ',
    "' OR ''='",
  ),
);
const query = fc.dictionary(fc.constantFrom('where', 'orderBy', 'page', 'pageSize', 'nextPage', 'fields', 'raw', 'hydrate', 'q', 'tags[]', 'x'), ceql, {
  maxKeys: 4,
});
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant(auth()),
  fc.constant(`${auth()}, Element ${'TOKEN'}`),
  text.map((t) => `User ${t}, Organization ${t}`),
  text,
  fc.constant(`User ${'x'.repeat(10_000)}`),
);
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ type: 'application/json', data: JSON.stringify(v) })),
  fc.record({ element: fc.jsonValue({ maxDepth: 2 }), configuration: fc.jsonValue({ maxDepth: 2 }), name: fc.jsonValue({ maxDepth: 1 }) }).map((v) => ({
    type: 'application/json',
    data: JSON.stringify(v),
  })),
  fc
    .constantFrom(deep(5000), '{"a":', '{"__proto__":{"polluted":1}}', '"just a string"', 'null', '{}', '[]')
    .map((data) => ({ type: 'application/json', data })),
  text.map((data) => ({ type: 'text/plain', data })),
  text.map((data) => ({
    type: 'multipart/form-data; boundary=x',
    data: `--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${data}\r\n--x--\r\n`,
  })),
  text.map((data) => ({ type: 'multipart/form-data', data })),
);

describe('fuzzing every route', () => {
  it('answers every odd request with a 4xx or success, quickly, without a secret, and keeps serving', async () => {
    const problems: string[] = [];
    // The first start prints the organization and user secrets, by design; from here on nothing may.
    const startLog = server.output().length;
    let cases = 0;
    let slowest = 0;
    const withToken = (value: string | undefined) => value?.replace('TOKEN', secrets.token);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(text, { minLength: 4, maxLength: 4 }), query, authorization, body, async (pick, ids, q, authHeader, payload) => {
        const op = operations[pick % operations.length]!;
        let i = 0;
        const path = op.path.replace(/\{[^}]+\}/g, (p) =>
          encodeURIComponent(p === '{id}' && i === 0 && ids[0] === 'CE-1' ? String(secrets.instanceId) : ids[i++ % 4]!),
        );
        const search = new URLSearchParams(q).toString();
        const url = `${api.replace(/\/elements\/api-v2$/, '')}${path}${search ? `?${search}` : ''}`;
        const headers: Record<string, string> = {};
        const a = withToken(authHeader);
        if (a !== undefined) headers.authorization = a;
        if (payload) headers['content-type'] = payload.type;
        const started = performance.now();
        let res: Awaited<ReturnType<typeof request>>;
        try {
          res = await request(url, { method: op.method as 'GET', headers, body: payload && op.method !== 'GET' ? payload.data : undefined });
        } catch (err) {
          // A header no HTTP client may send (control characters): nothing reached the server.
          if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') return true;
          throw err;
        }
        const answer = await res.body.text();
        const ms = performance.now() - started;
        cases++;
        slowest = Math.max(slowest, ms);
        const where = `${op.method} ${url.slice(0, 200)}`;
        if (res.statusCode >= 500) problems.push(`${where}: ${res.statusCode} ${answer.slice(0, 200)}`);
        if (ms > 1000) problems.push(`${where}: ${Math.round(ms)} ms`);
        for (const [name, value] of Object.entries({
          jiraPassword: secrets.jiraPassword,
          signatureKey: secrets.signatureKey,
          callbackPassword: secrets.callbackPassword,
        })) {
          if (answer.includes(value)) problems.push(`${where}: the answer shows the ${name}`);
        }
        return problems.length === 0;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`fuzz: ${cases} cases over ${operations.length} operations (seed ${SEED}); slowest ${Math.round(slowest)} ms`);
    expect(problems).toEqual([]);
    // Still serving, and nothing secret in what it logged.
    expect((await call(`${api}/elements`, { headers: { authorization: auth() } })).status).toBe(200);
    const logged = server.output().slice(startLog);
    for (const [name, value] of Object.entries(secrets)) {
      if (typeof value === 'string' && value !== '') expect([name, logged.includes(value)]).toEqual([name, false]);
    }
  }, 180_000);
});

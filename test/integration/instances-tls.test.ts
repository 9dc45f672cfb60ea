import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startJiraEmulator, type RunningEmulator } from '../../emulators/jira-server/index.ts';

/** A self-signed Jira over https: refused with a message naming the fix, accepted with its CA. */
let server: TestServer;
let jira: RunningEmulator;
let cert: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  jira = await startJiraEmulator({ tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert }, contextPath: '/jira' });
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  await jira.close();
});

const create = (configuration: Record<string, unknown>) =>
  call(`${server.api}/instances`, {
    method: 'POST',
    headers: { authorization: server.auth },
    json: { element: { key: 'jiraonprem' }, name: 'tls', configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl, ...configuration } },
  });

describe('https Jira with a private certificate', () => {
  it('serves over https', () => {
    expect(jira.baseUrl.startsWith('https://')).toBe(true);
  });

  it('fails with a TLS message that names ssl.ca.certificate, then works with the CA', async () => {
    const refused = await create({});
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^Cannot reach siteAddress: the TLS handshake with 127\.0\.0\.1:\d+ failed .*ssl\.ca\.certificate/);
    const ok = await create({ 'ssl.ca.certificate': cert });
    expect(ok.status).toBe(200);
    expect(ok.body.configuration['ssl.ca.certificate']).toBe(cert);
    expect((await create({ 'ssl.ca.certificate': 'not a pem' })).status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSwitchboard, type RunningProcess } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { CONSOLE_DIR, ensureConsoleBuilt } from '../../src/platform/http/console.ts';

/**
 * The web console in Debian's Chromium against a real switchboard process and the Jira
 * emulator. `npm test` skips it, saying so, when Chromium is not installed; `.ci/run` installs it.
 */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn('console e2e: skipped, Chromium is not installed (apt-get install -y chromium)');
// `npm run screenshots` refreshes the README's pictures; a plain test run writes them to a temp folder.
const SHOTS = process.env.SWITCHBOARD_SCREENSHOTS ? resolve(process.env.SWITCHBOARD_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'sb-shots-'));
const EMAIL = 'console@example.com';
const PASSWORD = 'console-password-1';

describe.skipIf(!available)('web console', () => {
  let jira: Awaited<ReturnType<typeof withEmulator>>;
  let server: RunningProcess;
  let origin = '';
  let browser: Browser;
  let page: Page;
  const env = (dataDir: string, port = '0'): Record<string, string> => ({
    SWITCHBOARD_DATA_DIR: dataDir,
    PORT: port,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_ADMIN_EMAIL: EMAIL,
    SWITCHBOARD_ADMIN_PASSWORD: PASSWORD,
  });
  const cspViolations: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    expect(await ensureConsoleBuilt()).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    jira = await withEmulator();
    server = startSwitchboard(['serve'], env(mkdtempSync(join(tmpdir(), 'sb-e2e-'))));
    origin = (await server.waitFor(/web console at (http:\/\/\S+)\//))[1]!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The console runs under its Content-Security-Policy: anything it blocks is a defect.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await jira?.close();
  });

  it('ships less than 300 KB of JavaScript, gzipped', () => {
    const js = readdirSync(join(CONSOLE_DIR, 'assets')).filter((f) => f.endsWith('.js'));
    const size = js.reduce((n, f) => n + gzipSync(readFileSync(join(CONSOLE_DIR, 'assets', f))).length, 0);
    console.log(`console JavaScript: ${(size / 1024).toFixed(1)} KB gzipped`);
    expect(size).toBeLessThan(300 * 1024);
  });

  it('signs in with the keyboard only and shows the secrets hidden until revealed', async () => {
    const served = await page.goto(origin);
    const headers = served!.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.getByRole('heading', { name: 'Sign in to switchboard' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid e-mail or password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    await page.getByRole('link', { name: 'Secrets' }).click();
    const org = page.getByTestId('org-secret');
    expect(await org.textContent()).toMatch(/^•+$/);
    await page.getByRole('button', { name: 'Reveal' }).first().click();
    expect(await org.textContent()).toMatch(/^[0-9a-f]{32}$/);
    await shot('secrets');
  });

  it("browses the catalog and authenticates a Jira On Prem instance, showing Jira's refusal first", async () => {
    await page.getByRole('link', { name: 'Connectors' }).click();
    // The second connector's form comes from its own metadata: an API key, or a login.
    await page.getByLabel('Search connectors').fill('redmine');
    await page.getByRole('button', { name: 'Authenticate Redmine' }).click();
    await page.getByLabel('API key').waitFor();
    await page.getByLabel('Login').waitFor();
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByLabel('Search connectors').fill('jira');
    expect(await page.getByRole('button', { name: 'Authenticate Redmine' }).count()).toBe(0);
    await shot('catalog');
    await page.getByRole('button', { name: 'Authenticate Jira On Prem' }).click();
    await page.getByRole('button', { name: 'Create instance' }).click();
    await expect.poll(() => page.locator('#instance-name-help').textContent()).toBe('Give the instance a name');
    await page.getByLabel('Name *', { exact: true }).fill('Console instance');
    await page.getByLabel('Username *').fill('jiradev');
    await page.getByLabel('Password *').fill('wrong');
    await page.getByLabel('Server URL *').fill(jira.baseUrl);
    await page.getByRole('button', { name: 'Create instance' }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent(), { timeout: 10_000 }).toContain('Invalid Jira credentials');
    await shot('authenticate-error');
    await jira.control.post('/users/jiradev/clear-lockout');
    await page.getByLabel('Password *').fill('jiradev');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.getByRole('heading', { name: /is ready/ }).waitFor();
    expect(await page.getByTestId('curl').textContent()).toMatch(/Element [A-Za-z0-9+/]{43}=.*\/hubs\/helpdesk\/incidents/);
    await shot('instance-created');
  }, 60_000);

  it('uses the token in the API explorer, then disables and deletes the instance', async () => {
    await page.getByRole('link', { name: 'Open the instance' }).click();
    await page.getByRole('heading', { name: 'Console instance' }).waitFor();
    await page.getByLabel('Operation').selectOption({ label: 'GET /incidents' });
    await page.getByLabel('pageSize (query)').fill('2');
    await page.getByRole('button', { name: 'Send GET' }).click();
    await expect.poll(() => page.getByTestId('explorer-status').textContent()).toBe('200');
    expect(JSON.parse((await page.getByTestId('explorer-response').textContent())!)).toHaveLength(2);
    await shot('instance-detail');

    // Nothing is sent without its path parameter (it would be the list call), and a body that is
    // not JSON is marked under its field, with the typed text kept.
    let sent = 0;
    const count = () => sent++;
    page.on('request', count);
    await page.getByLabel('Operation').selectOption({ label: 'GET /incidents/{id}' });
    await page.getByRole('button', { name: 'Send GET' }).click();
    await expect.poll(() => page.locator('#param-id-problem').textContent()).toBe('id is required');
    expect(await page.locator('#param-id').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Operation').selectOption({ label: 'POST /incidents' });
    await page.getByLabel('Body (JSON)').fill('{"fields": {"summary": "typo"');
    await page.getByRole('button', { name: 'Send POST' }).click();
    await expect.poll(() => page.getByTestId('explorer-body-problem').textContent()).toMatch(/^The body is not JSON/);
    expect(await page.getByLabel('Body (JSON)').inputValue()).toBe('{"fields": {"summary": "typo"');
    page.off('request', count);
    expect(sent).toBe(0);
    await page.getByLabel('Operation').selectOption({ label: 'GET /incidents' });

    // Trace logging on, one more call, and its trace on the Usage page (secrets redacted).
    await page.getByRole('switch', { name: /Trace logging/ }).check();
    await expect.poll(() => page.getByRole('switch', { name: /Trace logging/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Send GET' }).click();
    await expect.poll(() => page.getByTestId('explorer-status').textContent()).toBe('200');
    await page.getByRole('link', { name: 'Usage and traces of this instance' }).click();
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    // Usage records are written within a second of the call: refresh until both calls are listed.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.getByRole('button', { name: 'Traces' }).count();
        },
        { timeout: 15_000 },
      )
      .toBe(2);
    await page.getByTestId('usage-chart').locator('canvas').first().waitFor();
    expect(await page.getByTestId('usage-summary').textContent()).toBe('2 calls, 0 failed');
    await page.getByRole('button', { name: 'Traces' }).first().click();
    const traces = page.getByTestId('call-traces');
    await traces.locator('details.trace').first().waitFor();
    await traces.locator('details.trace summary').first().click();
    const traced = (await traces.textContent()) ?? '';
    expect(traced).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/rest\/api\/2\/search\?/);
    expect(traced).toContain('authorization: [redacted]');
    expect(traced).not.toContain('jiradev:jiradev');
    await shot('usage');
    await page.goBack();
    await page.getByRole('heading', { name: 'Console instance' }).waitFor();

    // Bulk: an export (downloaded as CSV), then an import of a CSV file with a row Jira refuses.
    await page.getByRole('link', { name: 'Bulk jobs (export and import)' }).click();
    await page.getByRole('heading', { name: 'Bulk jobs of Console instance' }).waitFor();
    await expect.poll(() => page.getByLabel('Query (CEQL)').inputValue()).toBe('select * from incidents');
    await page.getByLabel('Query (CEQL)').fill("select id, key, fields.summary from incidents where fields.issuetype.name = 'Task'");
    await page.getByRole('button', { name: 'Start export' }).click();
    await page.getByRole('button', { name: 'Download CSV' }).waitFor({ timeout: 20_000 });
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const exported = readFileSync((await csv.path())!, 'utf8');
    expect(exported.split('\r\n')[0]).toBe('id,key,fields.summary');
    await page.getByLabel('File (CSV, JSON array or NDJSON)').setInputFiles({
      name: 'new-issues.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('fields.project.key,fields.issuetype.name,fields.summary\r\nCE,Task,From the console\r\nCE,Nope,Refused in the console\r\n'),
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByRole('button', { name: 'Refused rows' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Refused rows' }).click();
    await page.getByRole('heading', { name: /Refused rows of job/ }).waitFor();
    const refused = page.locator('table').last();
    expect(await refused.textContent()).toMatch(/2.*issue type.*Refused in the console/s);
    expect(await page.locator('tr', { hasText: 'new-issues.csv' }).textContent()).toMatch(/COMPLETED.*2 of 2.*1/s);
    await shot('bulk');
    await page.getByRole('link', { name: 'Back to the instance' }).click();
    await page.getByRole('heading', { name: 'Console instance' }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('disabled');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    expect(await page.getByRole('link', { name: 'Console instance' }).count()).toBe(0);
  }, 60_000);

  it("shows each instance page only with that instance's data, however late its answer comes", async () => {
    const secrets = await page.evaluate(() => JSON.parse(sessionStorage.getItem('switchboard.secrets')!));
    const auth = `User ${secrets.user}, Organization ${secrets.company}`;
    const make = async (name: string) =>
      (await (
        await fetch(`${origin}/elements/api-v2/instances`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ element: { key: 'jiraonprem' }, name, configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } }),
        })
      ).json()) as { id: number };
    const first = await make('first of two');
    const second = await make('second of two');
    await page.goto(`${origin}/#/instances/${first.id}`);
    await page.getByRole('heading', { name: 'first of two' }).waitFor();
    // The second instance's answer is held back: meanwhile the page shows no instance at all.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/elements/api-v2/instances/${second.id}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${origin}/#/instances/${second.id}`);
    await page.getByText('Loading…').waitFor();
    expect(await page.getByText('first of two').count()).toBe(0);
    release();
    await page.getByRole('heading', { name: 'second of two' }).waitFor();
    expect(await page.getByText('first of two').count()).toBe(0);
    await page.unroute(`**/elements/api-v2/instances/${second.id}`);
    // A changed name shows as soon as it is saved.
    await page.getByRole('button', { name: 'Edit and re-authenticate' }).click();
    await page.getByLabel('Name *', { exact: true }).fill('second, renamed');
    await page.getByRole('button', { name: 'Save and re-check' }).click();
    await page.getByRole('heading', { name: 'second, renamed' }).waitFor();
    // An id that does not exist: a not-found state, never the page before it.
    await page.goto(`${origin}/#/instances/99999999`);
    await page.getByText('There is no instance 99999999 in this organization.').waitFor();
    expect(await page.getByText('second, renamed').count()).toBe(0);
    for (const { id } of [first, second]) await fetch(`${origin}/elements/api-v2/instances/${id}`, { method: 'DELETE', headers: { authorization: auth } });
  }, 60_000);

  it("shows the API reference built from the server's own OpenAPI document", async () => {
    await page.getByRole('link', { name: 'API reference' }).click();
    await page.getByRole('heading', { name: 'API reference' }).waitFor();
    await page.getByRole('heading', { name: 'instances', exact: true }).waitFor();
    await page.getByLabel('Filter').fill('POST /elements/api-v2/instances');
    const create = page.locator('details.operation', { hasText: 'Create an instance' }).first();
    await create.locator('summary').click();
    expect(await create.textContent()).toMatch(/element[\s\S]*ElementReference[\s\S]*name\*: string/);
    await shot('api-reference');
  });

  it('shows how each event delivery really stands, notices a redelivery, and the webhook URL to register by hand', async () => {
    const secrets = await page.evaluate(() => JSON.parse(sessionStorage.getItem('switchboard.secrets')!));
    const auth = `User ${secrets.user}, Organization ${secrets.company}`;
    const receiver = await startReceiver();
    receiver.respondWith(() => ({ status: 500 }));
    const make = async (name: string, user: string) =>
      (await (
        await fetch(`${origin}/elements/api-v2/instances`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            element: { key: 'jiraonprem' },
            name,
            configuration: {
              username: user,
              password: user,
              siteAddress: jira.baseUrl,
              'event.notification.enabled': true,
              'event.notification.callback.url': receiver.url,
              'event.vendor.type': 'webhook',
            },
          }),
        })
      ).json()) as { id: number };
    const registered = await make('webhooks registered', 'admin');
    const manual = await make('webhooks by hand', 'jiradev');
    try {
      await jira.jira.post('/rest/api/2/issue', { fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'for the event log' } });
      await receiver.waitFor((r) => r.length >= 1, 20_000);
      await page.goto(`${origin}/#/instances/${registered.id}`);
      // Every attempt got HTTP 500: the log says so, never "dispatched".
      await expect
        .poll(() => page.getByTestId('delivery-state').first().textContent(), { timeout: 20_000 })
        .toMatch(/^(Retrying at .+|Sending) \(\d+ attempts?, last: HTTP 500\)$/);
      expect(await page.getByText('DISPATCHED').count()).toBe(0);
      await page
        .getByRole('button', { name: /^Redeliver event / })
        .first()
        .click();
      await expect.poll(() => page.getByTestId('event-notice').textContent()).toMatch(/is queued to be delivered again/);

      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      await page.goto(`${origin}/#/instances/${manual.id}`);
      const url = (await page.getByTestId('manual-webhook').locator('code').textContent())!;
      expect(url.startsWith(`${origin}/`)).toBe(true);
      await page.getByRole('button', { name: 'Copy the webhook URL' }).click();
      await page.getByRole('button', { name: 'Copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    } finally {
      for (const { id } of [registered, manual])
        await fetch(`${origin}/elements/api-v2/instances/${id}`, { method: 'DELETE', headers: { authorization: auth } });
      await receiver.close();
    }
  }, 60_000);

  it('renders 1,000 instances, and works in a narrow window', async () => {
    const secrets = await page.evaluate(() => JSON.parse(sessionStorage.getItem('switchboard.secrets')!));
    const auth = `User ${secrets.user}, Organization ${secrets.company}`;
    for (let i = 0; i < 1000; i += 50) {
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          fetch(`${origin}/elements/api-v2/instances`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              element: { key: 'jiraonprem' },
              name: `bulk-${i + k}`,
              configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
            }),
          }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
      expect(statuses.every((st) => st === 200)).toBe(true);
    }
    await page.goto(`${origin}/#/`);
    await page.goto(`${origin}/#/instances`);
    await page.getByText('1000 of 1000 instances').waitFor({ timeout: 20_000 });
    const listMs = await page.evaluate(() => (window as unknown as { __instancesRenderMs: number }).__instancesRenderMs);
    const catalogStart = Date.now();
    await page.goto(`${origin}/#/catalog`);
    await page.getByRole('heading', { name: 'Jira On Prem' }).waitFor();
    console.log(`instance list with 1000 instances rendered in ${listMs.toFixed(0)} ms; catalog in ${Date.now() - catalogStart} ms`);
    await page.goto(`${origin}/#/instances`);
    await page.getByLabel('Search by name or tag').fill('bulk-99');
    await page.getByText(/^11 of 1000 instances$/).waitFor();
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${origin}/#/catalog`);
    await page.getByRole('heading', { name: 'Jira On Prem' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('catalog-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${origin}/#/instances`);
    await page.getByLabel('Search by name or tag').fill('bulk-1');
    await shot('instances');
  }, 120_000);

  it('asks to sign in again when the server is restarted underneath it with other secrets', async () => {
    const port = new URL(origin).port;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${origin}/#/`);
    await page.getByRole('heading', { name: 'Your secrets' }).waitFor();
    await server.stop();
    await page.evaluate(() => {
      location.hash = '#/catalog';
    });
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/cannot be reached/);
    server = startSwitchboard(['serve'], env(mkdtempSync(join(tmpdir(), 'sb-e2e-')), port));
    await server.waitFor(/listening on/);
    await page.reload();
    await page.evaluate(() => {
      location.hash = '#/instances';
    });
    await page.getByRole('heading', { name: 'Sign in to switchboard' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/sign in again/);
  }, 60_000);

  it('ran every page above under its Content-Security-Policy without a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
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
// `npm run screenshots` refreshes the README's pictures; a plain test run writes them to a temporary
// folder, removed when the file ends (test/helpers/temp-folder.ts).
const SHOTS = process.env.SWITCHBOARD_SCREENSHOTS ? resolve(process.env.SWITCHBOARD_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'sb-shots-'));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
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
    // A scheduled job made in the console fires within the test.
    SWITCHBOARD_JOBS_MIN_INTERVAL_SECONDS: '1',
  });
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const axeViolations: string[] = [];
  /** axe-core over the page as it stands; what it finds is collected, and must be nothing. */
  const audit = async (name: string) => {
    // Evaluated through the DevTools protocol: the page's CSP allows no injected script tag.
    await page.evaluate(AXE);
    const found = await page.evaluate(async () => {
      type Axe = { run: (context: Document) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
      const result = await (window as unknown as { axe: Axe }).axe.run(document);
      return result.violations.map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    axeViolations.push(...found.map((f) => `${name}: ${f}`));
  };
  /**
   * Clicks the button named `name` (the first of that name), answers the confirmation it must
   * ask, and resolves to its question: a click that asks nothing fails the test.
   */
  const confirmed = async (name: string, accept: boolean): Promise<string> => {
    const questions: string[] = [];
    const answer = (dialog: import('playwright-core').Dialog) => {
      questions.push(dialog.message());
      void (accept ? dialog.accept() : dialog.dismiss());
    };
    page.once('dialog', answer);
    try {
      await page.getByRole('button', { name }).first().click();
    } finally {
      page.off('dialog', answer);
    }
    expect(questions, `${name} asks first`).toHaveLength(1);
    return questions[0]!;
  };
  /** A picture of each page the tests pass through, each checked by axe-core. */
  const shot = async (name: string, fullPage = true) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
    await audit(name);
  };
  // The console keeps no secret in the page: a test that calls the API itself asks for them as the console's Secrets page does.
  const authOf = async (p: Page) => {
    const s = await p.evaluate(() => fetch('/elements/api-v1/ui/getSecrets').then((r) => r.json()));
    return `User ${s.user}, Organization ${s.company}`;
  };

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
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // The console runs under its Content-Security-Policy: anything it blocks is a defect.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
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
    await audit('sign in');
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
    // Each of the repeated buttons says which secret it acts on.
    expect(await page.getByRole('button', { name: 'Reveal the user secret' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Copy the organization secret' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Reveal the organization secret' }).click();
    expect(await org.textContent()).toMatch(/^[0-9a-f]{32}$/);
    await shot('secrets');
  });

  it("browses the catalog and authenticates a Jira On Prem instance, showing Jira's refusal first", async () => {
    await page.getByRole('link', { name: 'Connectors' }).click();
    // The second connector's form comes from its own metadata: an API key, or a login.
    await page.getByLabel('Search connectors').fill('redmine');
    await page.getByRole('button', { name: 'Authenticate Redmine' }).click();
    // Server URL first, then one way to authenticate at a time.
    await page.getByLabel('API key *').waitFor();
    expect(await page.locator('form input:not([type=radio]), form textarea').first().getAttribute('id')).toBe('cfg-siteAddress');
    expect(await page.getByLabel('Login *').count()).toBe(0);
    await page.getByRole('radio', { name: 'Login and Password' }).check();
    await page.getByLabel('Login *').waitFor();
    expect(await page.getByLabel('API key *').count()).toBe(0);
    // Redmine only polls: the event type offers nothing else.
    await page.getByLabel('Events Enabled').check();
    await expect.poll(() => page.getByLabel('Event Type').locator('option').allTextContents()).toEqual(['Polling']);
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByLabel('Search connectors').fill('jira');
    expect(await page.getByRole('button', { name: 'Authenticate Redmine' }).count()).toBe(0);
    await shot('catalog');
    await page.getByRole('button', { name: 'Authenticate Jira On Prem' }).click();
    // Events: only the switch while they are off; the fields of the chosen kind when on, defaults as placeholders.
    expect(await page.getByLabel('Event Notification Callback URL').count()).toBe(0);
    await page.getByLabel('Events Enabled').check();
    expect(await page.getByLabel('Event Poller Refresh Interval (mins)').getAttribute('placeholder')).toBe('15');
    await page.getByLabel('Event Type').selectOption('webhook');
    expect(await page.getByLabel('Event Poller Refresh Interval (mins)').count()).toBe(0);
    await page.getByLabel('Event Notification Callback URL').waitFor();
    await page.getByLabel('Events Enabled').uncheck();
    // Advanced settings stay folded away.
    expect(await page.getByLabel('CA Certificate (PEM)').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Create instance' }).click();
    await expect.poll(() => page.locator('#instance-name-help').textContent()).toBe('Give the instance a name');
    // A summary names every field to fix, and the first of them has the focus.
    expect(await page.getByTestId('error-summary').textContent()).toMatch(/Server URL.*Username.*Password.*Name/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('cfg-siteAddress');
    expect(await page.getByLabel('Server URL *').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Name *', { exact: true }).fill('Console instance');
    await page.getByLabel('Username *').fill('jiradev');
    await page.getByLabel('Password *').fill('wrong');
    await page.getByLabel('Server URL *').fill(jira.baseUrl);
    await page.getByRole('button', { name: 'Create instance' }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent(), { timeout: 10_000 }).toContain('Invalid Jira credentials');
    // Jira's refusal sits on the credential fields, which take the focus.
    expect(await page.locator('#cfg-password-help').textContent()).toContain('Invalid Jira credentials');
    expect(await page.getByLabel('Username *').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Server URL *').getAttribute('aria-invalid')).toBeNull();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('cfg-username');
    await shot('authenticate-error');
    await jira.control.post('/users/jiradev/clear-lockout');
    await page.getByLabel('Password *').fill('jiradev');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.getByRole('heading', { name: /is ready/ }).waitFor();
    // The cURL on screen shows no secret and quotes its URL; the copy is the whole command.
    const shown = (await page.getByTestId('curl').textContent()) ?? '';
    expect(shown).toBe(
      `curl -H 'Authorization: User ********, Organization ********, Element ********' '${origin}/elements/api-v2/hubs/helpdesk/incidents?pageSize=5'`,
    );
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.getByRole('button', { name: 'Copy cURL' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(
      /^curl -H 'Authorization: User [A-Za-z0-9+/=]+, Organization [0-9a-f]{32}, Element [A-Za-z0-9+/]{43}=' '.*\/incidents\?pageSize=5'$/,
    );
    const res = await fetch(copied.match(/'(http[^']+)'/)![1]!, { headers: { authorization: copied.match(/'Authorization: ([^']+)'/)![1]! } });
    expect(res.status).toBe(200);
    await shot('instance-created');
  }, 60_000);

  it('uses the token in the API explorer, then disables and deletes the instance', async () => {
    await page.getByRole('link', { name: 'Open the instance' }).click();
    await page.getByRole('heading', { name: 'Console instance' }).waitFor();
    // Settings under their form labels (the key on hover); dates with their time zone.
    await expect.poll(() => page.locator('dl.config dt').first().textContent()).toBe('Server URL');
    expect(await page.locator('dl.config dt').first().getAttribute('title')).toBe('siteAddress');
    expect(await page.locator('p time').first().textContent()).toMatch(/ (UTC|GMT[+-]\d+|[A-Z]{3,5})$/);
    await page.getByLabel('Operation').selectOption({ label: 'GET /incidents' });
    await page.getByLabel('pageSize (query)').fill('2');
    await page.getByRole('button', { name: 'Send GET' }).click();
    await expect.poll(() => page.getByTestId('explorer-status').textContent()).toBe('200');
    expect(await page.locator('.http-status').getAttribute('class')).toContain('s2xx');
    expect(await page.getByTestId('explorer-time').textContent()).toMatch(/^\d+ ms$/);
    const total = Number(/^2 of (\d+) records$/.exec((await page.getByTestId('explorer-count').textContent())!)![1]);
    expect(total).toBeGreaterThan(4);
    // A list shows as a table of key, summary, status…; the JSON is one click away.
    const table = page.getByTestId('explorer-table');
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('thead').textContent()).toMatch(/^KeySummaryStatus/);
    const firstKey = await table.locator('tbody tr td').first().textContent();
    await page.getByText('Response headers').click();
    expect(await page.getByTestId('explorer-headers').textContent()).toMatch(/elements-next-page-token/);
    await shot('explorer');
    await page.getByRole('radio', { name: 'JSON' }).check();
    expect(JSON.parse((await page.getByTestId('explorer-response').textContent())!)).toHaveLength(2);
    await page.getByRole('radio', { name: 'Table' }).check();
    // Next page fills nextPage and sends: other records, the same total.
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.getByLabel('nextPage (query)').inputValue()).not.toBe('');
    await expect.poll(async () => (await table.locator('tbody tr td').first().textContent()) !== firstKey).toBe(true);
    expect(await page.getByTestId('explorer-count').textContent()).toBe(`2 of ${total} records`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.getByRole('button', { name: 'Copy as cURL' }).click();
    const asCurl = await page.evaluate(() => navigator.clipboard.readText());
    expect(asCurl).toMatch(/^curl -H 'Authorization: User [A-Za-z0-9+/=]+, Organization [0-9a-f]{32}, Element \S+' '.*\/incidents\?pageSize=2&nextPage=\S+'$/);
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
    // The body starts from the instance's own schema: its writable fields, empty.
    const template = JSON.parse(await page.getByLabel('Body (JSON)').inputValue());
    expect(template.fields).toMatchObject({ summary: '' });
    expect(template.fields).not.toHaveProperty('created');
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
    // Usage records are written within a second of the call: refresh until every call is listed.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.getByRole('button', { name: 'Traces' }).count();
        },
        { timeout: 15_000 },
      )
      .toBe(4);
    await page.getByTestId('usage-chart').locator('canvas').first().waitFor();
    // The copied cURL, the list, its next page, and the traced call.
    expect(await page.getByTestId('usage-summary').textContent()).toBe('4 calls, 0 failed');
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
    await page.getByLabel('File (CSV, NDJSON or JSON: an array, or an object with a records path)').setInputFiles({
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
    // A JSON object that holds its records under a member: the records path names it.
    const savedSearch = { total: 1, issues: [{ fields: { project: { key: 'CE' }, issuetype: { name: 'Task' }, summary: 'From a saved search' } }] };
    await page.getByLabel('File (CSV, NDJSON or JSON: an array, or an object with a records path)').setInputFiles({
      name: 'saved-search.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(savedSearch)),
    });
    await page.getByLabel(/Records path/).fill('issues');
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'saved-search.json' }).textContent(), { timeout: 20_000 }).toMatch(/COMPLETED.*1 of 1/s);
    await shot('bulk');
    await page.getByRole('link', { name: 'Back to the instance' }).click();
    await page.getByRole('heading', { name: 'Console instance' }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('disabled');
    // Three weights of action: the main one, the others, and the one that destroys.
    expect(await page.getByRole('button', { name: 'Send GET' }).getAttribute('class')).toBe('primary');
    expect(await page.getByRole('button', { name: 'Enable' }).getAttribute('class')).toBe('secondary');
    expect(await page.getByRole('button', { name: 'Delete…' }).getAttribute('class')).toBe('danger');
    expect(await page.getByRole('button', { name: 'Sign out' }).getAttribute('class')).toBe('link');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    expect(await page.getByRole('link', { name: 'Console instance' }).count()).toBe(0);
    // The organization has no instance left: the list says how to make the first.
    await page.getByRole('link', { name: 'Connect your first helpdesk' }).waitFor();
  }, 60_000);

  it("shows each instance page only with that instance's data, however late its answer comes", async () => {
    const auth = await authOf(page);
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
    await page.goto(`${origin}/#/bulk/99999999`);
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

  it('makes a scheduled job that calls the hub as the signed-in user, shows its fires, and deletes it once confirmed', async () => {
    const auth = await authOf(page);
    const made = (await (
      await fetch(`${origin}/elements/api-v2/instances`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          element: { key: 'jiraonprem' },
          name: 'Scheduled instance',
          configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl },
        }),
      })
    ).json()) as { id: number };
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('heading', { name: 'Scheduled jobs' }).waitFor();
    await page.getByLabel('Name').fill('Priorities every two seconds');
    await page.getByLabel('Path').fill('/elements/api-v2/hubs/helpdesk/priorities');
    await page.getByLabel('Instance (its token goes with each call)').selectOption({ label: 'Scheduled instance' });
    await page.getByLabel('Cron (Quartz, UTC)').fill('0/2 * * * * ?');
    await page.getByRole('button', { name: 'Make job' }).click();
    await page.getByRole('status').filter({ hasText: 'Job Priorities every two seconds made' }).waitFor();
    // The console signs in without secrets: the job's calls carry the user's, read at each fire.
    const row = page.locator('tr', { hasText: 'Priorities every two seconds' });
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('HTTP 200');
    await shot('jobs');
    // Deleted once confirmed, and kept when not.
    expect(await confirmed('Delete job Priorities every two seconds', false)).toBe('Delete the job Priorities every two seconds? It stops firing.');
    expect(((await (await fetch(`${origin}/elements/api-v2/jobs`, { headers: { authorization: auth } })).json()) as unknown[]).length).toBe(1);
    await confirmed('Delete job Priorities every two seconds', true);
    await page.getByText('No scheduled jobs yet.').waitFor();
    await fetch(`${origin}/elements/api-v2/instances/${made.id}`, { method: 'DELETE', headers: { authorization: auth } });
  }, 60_000);

  it('subscribes a URL to a topic, posts to it, follows each delivery, sends a queued one again, acknowledges and deletes once confirmed', async () => {
    const auth = await authOf(page);
    const receiver = await startReceiver();
    const account = (
      (await (await fetch(`${origin}/elements/api-v2/accounts`, { headers: { authorization: auth } })).json()) as { id: number; defaultAccount: boolean }[]
    ).find((a) => a.defaultAccount)!;
    const policy = (value: string) =>
      fetch(`${origin}/elements/api-v2/accounts/${account.id}/settings`, {
        method: 'PATCH',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ 'notification.webhook.failure.policy': value }),
      });
    try {
      await page.getByRole('link', { name: 'Notifications', exact: true }).click();
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
      await page.getByLabel('Topics (separated by commas)').fill('console.topic');
      await page.getByLabel('Webhook URL').fill(receiver.url);
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('status').filter({ hasText: 'Subscribed to console.topic.' }).waitFor();
      await page.getByLabel('Topic', { exact: true }).fill('console.topic');
      await page.getByLabel('Severity').selectOption('high');
      await page.getByLabel('Message').fill('Posted from the console');
      await page.getByRole('button', { name: 'Post', exact: true }).click();
      await receiver.waitFor((r) => r.length === 1, 20_000);
      expect(receiver.received[0]!.json).toMatchObject({ topic: 'console.topic', severity: 'high', message: 'Posted from the console' });
      const deliveries = page
        .locator('tr', { hasText: 'console.topic' })
        .filter({ has: page.locator('.badge') })
        .filter({ hasNotText: 'active' });
      await expect.poll(() => deliveries.first().textContent(), { timeout: 20_000 }).toContain('delivered');

      // With the account's queue policy, a refused delivery waits until it is sent again from here.
      expect((await policy('queue')).status).toBe(200);
      receiver.respondWith(() => ({ status: 503 }));
      await page.getByLabel('Message').fill('Refused at first');
      await page.getByRole('button', { name: 'Post', exact: true }).click();
      await expect.poll(() => deliveries.first().textContent(), { timeout: 20_000 }).toContain('queued');
      await shot('notifications');
      receiver.respondWith(() => ({ status: 200 }));
      await page.getByRole('button', { name: 'Send queued and failed deliveries again' }).click();
      await page.getByRole('status').filter({ hasText: '1 delivery sent again.' }).waitFor();
      await receiver.waitFor((r) => r.filter((x) => x.json?.message === 'Refused at first').length === 2, 20_000);
      await expect.poll(() => deliveries.first().textContent(), { timeout: 20_000 }).toContain('delivered');

      await page.getByRole('button', { name: 'Acknowledge the notification on console.topic' }).first().click();
      await page.getByRole('status').filter({ hasText: 'Notification acknowledged.' }).waitFor();
      const notifications = async () =>
        ((await (await fetch(`${origin}/elements/api-v2/notifications`, { headers: { authorization: auth } })).json()) as unknown[]).length;
      expect(await confirmed('Delete the notification on console.topic', false)).toBe('Delete the notification on console.topic, with its deliveries?');
      expect(await notifications()).toBe(2);
      await confirmed('Delete the notification on console.topic', true);
      await page.getByRole('status').filter({ hasText: 'Notification deleted.' }).waitFor();
      expect(await notifications()).toBe(1);
      expect(await confirmed('Delete the subscription to console.topic', true)).toMatch(
        /^Delete the subscription to console\.topic\? http:\/\/\S+ gets no more notifications of it\.$/,
      );
      await page.getByText('No subscriptions yet.').waitFor();
    } finally {
      await policy('retry');
      await receiver.close();
    }
  }, 60_000);

  it("makes an account and a user in it, shows the user's secret once, sets the account's failure policy and the password rules, deactivates and deletes", async () => {
    const auth = await authOf(page);
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Support team');
    await page.getByRole('button', { name: 'Make account' }).click();
    await page.getByRole('status').filter({ hasText: 'Account Support team made.' }).waitFor();
    await page.getByRole('heading', { name: 'Users of Support team' }).waitFor();
    await page.getByLabel('E-mail').fill('agent@example.com');
    await page.getByLabel('Administrator of this account').check();
    await page.getByRole('button', { name: 'Make user' }).click();
    await page.getByRole('status').filter({ hasText: 'User agent@example.com made.' }).waitFor();
    await expect.poll(() => page.locator('tr', { hasText: 'agent@example.com' }).textContent()).toContain('admin');
    // The new user's secret, hidden until revealed, is theirs: with it the user calls the API.
    await page.getByRole('button', { name: 'Reveal the user secret of agent@example.com' }).click();
    const secret = (await page.getByTestId('new-user-secret').textContent())!;
    await page.getByRole('button', { name: 'Hide the user secret of agent@example.com' }).click();
    const organization = auth.split('Organization ')[1]!;
    const asAgent = await fetch(`${origin}/elements/api-v2/instances`, { headers: { authorization: `User ${secret}, Organization ${organization}` } });
    expect(asAgent.status).toBe(200);

    await page.getByLabel('A notification that cannot be delivered is').selectOption('queue');
    await page.getByRole('status').filter({ hasText: 'Failed notifications now wait, queued, until sent again.' }).waitFor();
    await shot('accounts');
    const accounts = (await (await fetch(`${origin}/elements/api-v2/accounts`, { headers: { authorization: auth } })).json()) as { id: number; name: string }[];
    const team = accounts.find((a) => a.name === 'Support team')!;
    const settings = await (await fetch(`${origin}/elements/api-v2/accounts/${team.id}/settings`, { headers: { authorization: auth } })).json();
    expect(settings).toEqual({ 'notification.webhook.failure.policy': 'queue' });

    // The organization's password rules: a longer minimum refuses a shorter password, until reset.
    const minLength = async () =>
      ((await (await fetch(`${origin}/elements/api-v2/organizations/password-policies`, { headers: { authorization: auth } })).json()) as { minLength: number })
        .minLength;
    await page.getByLabel('Shortest password').fill('12');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Password rules saved' }).waitFor();
    expect(await minLength()).toBe(12);
    await page.getByLabel('E-mail').fill('short@example.com');
    await page.getByLabel('Console password (optional)').fill('eleven-char');
    await page.getByRole('button', { name: 'Make user' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();
    await page.getByRole('button', { name: 'Back to the defaults' }).click();
    await page.getByRole('status').filter({ hasText: 'Password rules are back to their defaults.' }).waitFor();
    expect(await minLength()).toBe(8);
    await expect.poll(() => page.getByLabel('Shortest password').inputValue()).toBe('8');

    // A deactivated user's secret stops working, and works again once activated; then the user goes.
    const agentCalls = () => fetch(`${origin}/elements/api-v2/instances`, { headers: { authorization: `User ${secret}, Organization ${organization}` } });
    await page.getByRole('button', { name: 'Deactivate agent@example.com' }).click();
    await page.getByRole('status').filter({ hasText: 'agent@example.com is deactivated' }).waitFor();
    expect((await agentCalls()).status).toBe(401);
    await page.getByRole('button', { name: 'Activate agent@example.com' }).click();
    await page.getByRole('status').filter({ hasText: 'agent@example.com is active again.' }).waitFor();
    expect((await agentCalls()).status).toBe(200);
    expect(await confirmed('Delete agent@example.com', true)).toBe('Delete the user agent@example.com, with the instances they made?');
    await page.getByRole('status').filter({ hasText: 'agent@example.com deleted.' }).waitFor();
    expect((await agentCalls()).status).toBe(401);

    // The account: deactivated and active again, then deleted once confirmed (and kept when not).
    await page.getByRole('button', { name: 'Deactivate the account Support team' }).click();
    await page.getByRole('status').filter({ hasText: 'Support team is deactivated' }).waitFor();
    await page.getByRole('button', { name: 'Activate the account Support team' }).click();
    await page.getByRole('status').filter({ hasText: 'Support team is active again.' }).waitFor();
    expect(await confirmed('Delete the account Support team', false)).toBe('Delete the account Support team, with its users and their instances?');
    expect((await fetch(`${origin}/elements/api-v2/accounts/${team.id}`, { headers: { authorization: auth } })).status).toBe(200);
    await confirmed('Delete the account Support team', true);
    await page.getByRole('status').filter({ hasText: 'Account Support team deleted.' }).waitFor();
    expect((await fetch(`${origin}/elements/api-v2/accounts/${team.id}`, { headers: { authorization: auth } })).status).toBe(404);
    await expect.poll(() => page.locator('tr', { hasText: 'Support team' }).count()).toBe(0);
  }, 60_000);

  it('shows how each event delivery really stands, notices a redelivery, and the webhook URL to register by hand', async () => {
    const auth = await authOf(page);
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
      await shot('event-log');
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

  it('lists 205 instances a page at a time from the server, sorted, searched, kept in the URL, and as cards on a phone', async () => {
    const auth = await authOf(page);
    const longName = `unbroken-${'x'.repeat(180)}`;
    const names = [...Array.from({ length: 204 }, (_, i) => `a-fleet-${String(i).padStart(3, '0')}`), longName];
    for (let i = 0; i < names.length; i += 41) {
      const statuses = await Promise.all(
        names.slice(i, i + 41).map((name) =>
          fetch(`${origin}/elements/api-v2/instances`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body: JSON.stringify({ element: { key: 'jiraonprem' }, name, configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } }),
          }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
      expect(statuses.every((st) => st === 200)).toBe(true);
    }
    const total = (await (
      await fetch(`${origin}/elements/api-v2/instances?pageSize=1`, { headers: { authorization: auth } })
    ).headers.get('elements-total-count'))!;
    const listCalls: { url: string; bytes: number }[] = [];
    page.on('response', async (r) => {
      if (/\/elements\/api-v2\/instances\?/.test(r.url())) listCalls.push({ url: r.url(), bytes: (await r.body()).length });
    });
    await page.goto(`${origin}/#/instances`);
    await page.getByText(`1–25 of ${total} instances`).waitFor();
    expect(await page.locator('table.list tbody tr').count()).toBe(25);
    // One page on the wire, not the whole organization.
    await expect.poll(() => listCalls.length).toBe(1);
    expect(listCalls[0]!.url).toMatch(/pageSize=25/);
    expect(listCalls[0]!.bytes).toBeLessThan(30_000);
    // The long name is cut, with its whole text on hover; no row pushes the page sideways.
    expect(await page.getByRole('link', { name: longName }).getAttribute('title')).toBe(longName);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('instances');

    // Sort by name, then the next page: both in the URL, and a reload keeps them.
    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/instances?sort=name&dir=asc');
    expect(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(() => page.locator('table.list tbody tr td a').first().textContent()).toBe('a-fleet-000');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(`26–50 of ${total} instances`).waitFor();
    await expect.poll(() => page.locator('table.list tbody tr td a').first().textContent()).toBe('a-fleet-025');
    await page.reload();
    await page.getByText(`26–50 of ${total} instances`).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/instances?sort=name&dir=asc&page=2');
    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(() => page.locator('table.list tbody tr td a').first().textContent()).toBe(longName);

    // The search runs on the server and lives in the URL; one that finds nothing says so.
    await page.getByLabel('Search by name or tag').fill('FLEET-19');
    await page.getByText('1–10 of 10 instances matching “FLEET-19”').waitFor();
    expect(await page.evaluate(() => location.hash)).toMatch(/[?&]q=FLEET-19/);
    await page.getByLabel('Search by name or tag').fill('no-such-instance');
    await page.getByText('No instance matches “no-such-instance”.').waitFor();
    await page.getByRole('button', { name: 'Clear the search' }).click();
    await page.getByText(new RegExp(`^1–25 of ${total} instances$`)).waitFor();

    // A phone: a compact header, the list as cards, nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${origin}/#/instances`);
    await page.getByText(`1–25 of ${total} instances`).waitFor();
    expect(
      await page
        .locator('table.list tbody tr')
        .first()
        .evaluate((tr) => getComputedStyle(tr).display),
    ).toBe('block');
    expect(await page.locator('header').evaluate((h) => h.getBoundingClientRect().height)).toBeLessThan(100);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('instances-phone', false);
    await page.goto(`${origin}/#/catalog`);
    await page.getByRole('heading', { name: 'Jira On Prem' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 120_000);

  it('names each page in the tab, moves focus to it, opens page paths as the console, and has a not-found page', async () => {
    await page.goto(`${origin}/#/catalog`);
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    await expect.poll(() => page.title()).toBe('Connectors · switchboard');
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    await expect.poll(() => page.title()).toBe('Instances · switchboard');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // A page's path (a bookmark without its #) opens that page of the console; other paths stay the API's 404.
    const auth = await authOf(page);
    const [one] = await (await fetch(`${origin}/elements/api-v2/instances?pageSize=1&orderBy=name`, { headers: { authorization: auth } })).json();
    const opened = await page.goto(`${origin}/instances/${one.id}`);
    expect(opened!.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByRole('heading', { name: one.name }).waitFor();
    expect(await page.evaluate(() => location.href)).toBe(`${origin}/#/instances/${one.id}`);
    const api404 = await fetch(`${origin}/no-such-page`, { headers: { accept: 'text/html' } });
    expect(api404.status).toBe(404);
    expect((await api404.json()).message).toMatch(/No resource/);
    await page.goto(`${origin}/#/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await audit('not found');
    await expect.poll(() => page.title()).toBe('Page not found · switchboard');

    // The bundle goes out compressed, and the tab has an icon.
    const html = await (await fetch(origin)).text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const js = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.headers.get('content-encoding')).toBe('br');
    const wire = Number(js.headers.get('content-length'));
    console.log(`console JavaScript on the wire: ${(wire / 1024).toFixed(1)} KB (brotli)`);
    expect(wire).toBeLessThan(100 * 1024);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
    const icon = await fetch(`${origin}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  }, 60_000);

  it('keeps the session in its cookie only: shared by a new tab, ended everywhere by a sign-out', async () => {
    await page.goto(`${origin}/#/instances`);
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    // No secret in the page's storage.
    expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
    // A second tab of the same browser window: the same cookies.
    const tab = await page.context().newPage();
    try {
      await tab.goto(`${origin}/#/catalog`);
      await tab.getByRole('heading', { name: 'Connectors' }).waitFor();
      await tab.getByRole('button', { name: 'Sign out' }).click();
      await tab.getByRole('heading', { name: 'Sign in to switchboard' }).waitFor();
    } finally {
      await tab.close();
    }
    // The first tab's next call finds the session gone.
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'Sign in to switchboard' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/sign in again/);
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
  }, 60_000);

  it('asks to sign in again when the server is restarted underneath it with other secrets', async () => {
    // Each step has a bound of its own, within the test's: should one overrun, it is named.
    const port = new URL(origin).port;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${origin}/#/`, { timeout: 10_000 });
    await page.getByRole('heading', { name: 'Your secrets' }).waitFor({ timeout: 10_000 });
    await server.stop();
    await page.evaluate(() => {
      location.hash = '#/catalog';
    });
    await expect.poll(() => page.getByRole('alert').first().textContent({ timeout: 5_000 }), { timeout: 5_000 }).toMatch(/cannot be reached/);
    server = startSwitchboard(['serve'], env(mkdtempSync(join(tmpdir(), 'sb-e2e-')), port));
    await server.waitFor(/listening on/);
    await page.reload({ timeout: 10_000 });
    await page.evaluate(() => {
      location.hash = '#/instances';
    });
    await page.getByRole('heading', { name: 'Sign in to switchboard' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('status').textContent({ timeout: 5_000 })).toMatch(/sign in again/);
  }, 100_000);

  it('ran every page above under its Content-Security-Policy, without a JavaScript error, and without an axe-core violation', () => {
    expect(cspViolations).toEqual([]);
    expect(axeViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

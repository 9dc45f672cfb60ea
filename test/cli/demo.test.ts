import { describe, expect, it } from 'vitest';
import { newTestStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard } from '../helpers/process.ts';

describe('switchboard serve --demo', () => {
  it('starts a seeded Jira so the printed cURL creates an instance at once; logs never show the password', async () => {
    const target = await newTestStore();
    const p = startSwitchboard(['serve', '--demo', '--demo-jira-port', '0'], {
      SWITCHBOARD_DATA_DIR: target.dataDir, PORT: '0', LOG_LEVEL: 'debug',
      ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    });
    const [, api] = await p.waitFor(/listening on (http:\/\/\S+)/);
    const out = p.output();
    const auth = /-H "Authorization: (User \S+, Organization \S+)"/.exec(out)![1]!;
    const data = JSON.parse(/-d '(\{.*\})'/.exec(out)![1]!);
    expect(data.configuration.siteAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const created = await call(`${api}/instances`, { method: 'POST', headers: { authorization: auth }, json: data });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'API Instance', tags: ['Docs', 'API Instance'], valid: true });

    const secret = 'Wr0ng-Unique-Pa55word';
    const refused = await call(`${api}/instances`, { method: 'POST', headers: { authorization: auth }, json: { ...data, configuration: { ...data.configuration, password: secret } } });
    expect(refused.status).toBe(400);
    expect(await p.stop()).toBe(0);
    const logs = p.output();
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(created.body.token);
    expect(logs).toMatch(/instance created/);
  });
});

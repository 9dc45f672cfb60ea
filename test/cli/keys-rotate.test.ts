import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newTestStore } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { runSwitchboard, startSwitchboard } from '../helpers/process.ts';
import { withEmulator } from '../helpers/jira-client.ts';
import { openStore } from '../../src/store/db.ts';
import { ENCRYPTED_COLUMNS } from '../../src/store/encrypted-columns.ts';

let jira: Awaited<ReturnType<typeof withEmulator>>;
beforeAll(async () => { jira = await withEmulator(); });
afterAll(async () => { await jira.close(); });

describe('switchboard keys rotate', () => {
  it('re-encrypts every secret under a new key while the server keeps serving', async () => {
    const target = await newTestStore();
    const env: Record<string, string> = {
      SWITCHBOARD_DATA_DIR: target.dataDir, PORT: '0', LOG_LEVEL: 'warn',
      ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    };
    const server = startSwitchboard(['serve'], env);
    const [, api] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const secrets = JSON.parse(readFileSync(join(target.dataDir, 'bootstrap.json'), 'utf8'));
    const auth = `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`;
    const created = await call(`${api}/instances`, {
      method: 'POST', headers: { authorization: auth },
      json: { element: { key: 'jiraonprem' }, name: 'rotate', configuration: { username: 'admin', password: 'admin', siteAddress: jira.baseUrl } },
    });
    expect(created.status).toBe(200);
    const oldKey = JSON.parse(readFileSync(join(target.dataDir, 'master.key'), 'utf8')).active;

    const rotated = await runSwitchboard(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    const report = JSON.parse(rotated.output);
    expect(report.activeKeyId).not.toBe(oldKey);
    expect(report.reencrypted['instances.configuration_enc']).toBe(1);
    expect(report.reencrypted['users.secret_enc']).toBe(1);

    // The running server decrypts the new ciphertexts (it reloads the key file on an unknown key id).
    const read = await call(`${api}/instances/${created.body.id}`, { headers: { authorization: auth } });
    expect(read.status).toBe(200);
    expect(read.body.token).toBe(created.body.token);
    expect((await call(`${api}/instances/configuration`, { headers: { authorization: `${auth}, Element ${created.body.token}` } })).status).toBe(200);

    // Nothing in the store is still under the old key.
    const store = openStore({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
    const db = store.db as unknown as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
    for (const col of ENCRYPTED_COLUMNS) {
      for (const row of await db.selectFrom(col.table).selectAll().execute()) {
        const v = row[col.column];
        if (typeof v === 'string' && v !== '') expect(v.split('.')[1], `${col.table}.${col.column}`).toBe(report.activeKeyId);
      }
    }
    await store.close();
    expect(await server.stop()).toBe(0);

    // A restart reads everything with the new key file.
    const again = startSwitchboard(['serve'], env);
    const [, api2] = await again.waitFor(/listening on (http:\/\/\S+)/);
    expect((await call(`${api2}/instances/${created.body.id}`, { headers: { authorization: auth } })).body.configuration.username).toBe('admin');
    await again.stop();
  });

  it('rotates operator-supplied keys given the new and the previous key', async () => {
    const target = await newTestStore();
    const oldKey = Buffer.alloc(32, 1).toString('base64');
    const newKey = Buffer.alloc(32, 2).toString('base64');
    const base: Record<string, string> = { SWITCHBOARD_DATA_DIR: target.dataDir, PORT: '0', ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }) };
    const first = startSwitchboard(['serve'], { ...base, SWITCHBOARD_MASTER_KEY: oldKey });
    await first.waitFor(/listening on/);
    await first.stop();
    const missing = await runSwitchboard(['keys', 'rotate'], { ...base, SWITCHBOARD_MASTER_KEY: newKey });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/SWITCHBOARD_PREVIOUS_MASTER_KEYS/);
    const rotated = await runSwitchboard(['keys', 'rotate'], { ...base, SWITCHBOARD_MASTER_KEY: newKey, SWITCHBOARD_PREVIOUS_MASTER_KEYS: oldKey });
    expect(rotated.code).toBe(0);
    const secrets = JSON.parse(readFileSync(join(target.dataDir, 'bootstrap.json'), 'utf8'));
    const after = startSwitchboard(['serve'], { ...base, SWITCHBOARD_MASTER_KEY: newKey });
    const [, api] = await after.waitFor(/listening on (http:\/\/\S+)/);
    expect((await call(`${api}/accounts`, { headers: { authorization: `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}` } })).status).toBe(200);
    await after.stop();
  });
});

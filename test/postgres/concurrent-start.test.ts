import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { bootstrapSecrets, newTestStore, processEnv } from '../helpers/test-store.ts';
import { call } from '../helpers/test-server.ts';
import { startSwitchboard } from '../helpers/process.ts';

/**
 * Nodes of a scale-out deployment start together: on an empty database, each one migrates and
 * finds no organization. Exactly one must create it (and print its secrets); all must serve.
 */
describe('processes started at the same moment on an empty database', () => {
  it('all start, and exactly one creates the first organization (20 rounds of 4)', { timeout: 900_000 }, async () => {
    for (let round = 0; round < 20; round++) {
      const target = await newTestStore();
      // Every other round pins the secrets, as the README's scale-out section says to.
      const pinned = round % 2 === 1;
      const env = processEnv(
        target,
        pinned ? { SWITCHBOARD_ORGANIZATION_SECRET: randomBytes(16).toString('hex'), SWITCHBOARD_USER_SECRET: randomBytes(32).toString('base64') } : {},
      );
      const nodes = Array.from({ length: 4 }, () => startSwitchboard(['serve'], env));
      try {
        const apis = await Promise.all(nodes.map(async (n) => (await n.waitFor(/listening on (http:\/\/\S+)/, 60_000))[1]!));
        const creators = nodes.filter((n) => n.output().includes('created your organization'));
        expect(creators, `round ${round}`).toHaveLength(1);
        const secrets = bootstrapSecrets(target.dataDir);
        if (pinned) expect(secrets.organizationSecret).toBe(env.SWITCHBOARD_ORGANIZATION_SECRET);
        const auth = `User ${secrets.userSecret}, Organization ${secrets.organizationSecret}`;
        for (const api of apis) expect((await call(`${api}/accounts`, { headers: { authorization: auth } })).status).toBe(200);
      } finally {
        const codes = await Promise.all(nodes.map((n) => n.stop()));
        expect(codes, nodes.map((n) => n.output()).join('\n---\n')).toEqual([0, 0, 0, 0]);
      }
    }
  });
});

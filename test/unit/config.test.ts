import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, ConfigError } from '../../src/platform/config.ts';

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({}, '/srv/sb');
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: '/srv/sb/data', databaseUrl: undefined });
    expect(c.consoleLogin.enabled).toBe(true);
    expect(c.accessLog).toBe('unrecorded');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.bootstrap)).toBe(true);
  });

  it('reads variables and their _FILE variants, the file winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cfg-'));
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    const c = parseConfig(
      {
        PORT: '9090',
        HOST: '0.0.0.0',
        SWITCHBOARD_ADMIN_PASSWORD: 'env',
        SWITCHBOARD_ADMIN_PASSWORD_FILE: join(dir, 'secret'),
        DATABASE_URL: 'postgres://u@h/db',
      },
      dir,
    );
    expect(c.port).toBe(9090);
    expect(c.host).toBe('0.0.0.0');
    expect(c.bootstrap.adminPassword).toBe('from-file');
    expect(c.databaseUrl).toBe('postgres://u@h/db');
  });

  it('rejects bad values with a message naming the variable', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ SWITCHBOARD_CONSOLE_LOGIN: 'maybe' })).toThrow(/SWITCHBOARD_CONSOLE_LOGIN/);
    expect(() => parseConfig({ SWITCHBOARD_TRUST_PROXY: 'everyone' })).toThrow(/SWITCHBOARD_TRUST_PROXY/);
    expect(() => parseConfig({ SWITCHBOARD_ACCESS_LOG: 'none' })).toThrow(/SWITCHBOARD_ACCESS_LOG/);
    expect(parseConfig({ SWITCHBOARD_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy).toBe('10.0.0.0/8,::1');
    expect(() => parseConfig({ SWITCHBOARD_MASTER_KEY_FILE: '/nonexistent/key' })).toThrow(/cannot read/);
  });
});

import { describe, expect, it } from 'vitest';
import { OutboundPolicy, OutboundRefusedError, parseOutboundList } from '../../src/platform/outbound-policy.ts';

/** The address a URL's host connects to, as the WHATWG parser (and so undici) reads it. */
const hostOf = (url: string) => new URL(url).hostname;

describe('outbound policy', () => {
  it('refuses link-local and metadata addresses in every spelling, by default', async () => {
    const policy = new OutboundPolicy({ allow: [], deny: [] });
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://2851995902/',
      'http://0xa9fea9fe/',
      'http://169.254.43518/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0/',
      'http://[::]/',
    ]) {
      await expect(policy.resolve(hostOf(url), 80), url).rejects.toBeInstanceOf(OutboundRefusedError);
    }
  });

  it('allows loopback and private ranges by default, where on-premises servers live', async () => {
    const policy = new OutboundPolicy({ allow: [], deny: [] });
    for (const url of ['http://127.1/', 'http://2130706433/', 'http://0x7f000001/', 'http://[::1]/', 'http://10.1.2.3/', 'http://192.168.0.10/']) {
      await expect(policy.resolve(hostOf(url), 8443), url).resolves.toEqual(expect.any(String));
    }
  });

  it("refuses switchboard's own port on this machine, in every spelling of loopback", async () => {
    const policy = new OutboundPolicy({ allow: [], deny: [] });
    policy.addOwnPort(8080);
    for (const url of ['http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'http://[::1]/', 'http://localhost/']) {
      await expect(policy.resolve(hostOf(url), 8080), url).rejects.toThrow(/own address/);
    }
    await expect(policy.resolve('127.0.0.1', 8081)).resolves.toBe('127.0.0.1');
  });

  it('takes deny before allow, and an allow list refuses everything else', async () => {
    const locked = new OutboundPolicy({ allow: ['10.0.0.0/8', 'jira.example.com', '169.254.10.0/24'], deny: ['10.9.0.0/16'] });
    await expect(locked.resolve('10.1.2.3', 443)).resolves.toBe('10.1.2.3');
    await expect(locked.resolve('10.9.1.1', 443)).rejects.toThrow(/SWITCHBOARD_OUTBOUND_DENY/);
    await expect(locked.resolve('127.0.0.1', 443)).rejects.toThrow(/not in SWITCHBOARD_OUTBOUND_ALLOW/);
    // An explicit allow lifts a built-in refusal.
    await expect(locked.resolve('169.254.10.5', 443)).resolves.toBe('169.254.10.5');
    const byName = new OutboundPolicy({ allow: [], deny: ['*.internal.example', 'localhost'] });
    await expect(byName.resolve('db.internal.example', 443)).rejects.toThrow(/SWITCHBOARD_OUTBOUND_DENY/);
    await expect(byName.resolve('LOCALHOST', 443)).rejects.toThrow(/SWITCHBOARD_OUTBOUND_DENY/);
  });

  it('names a bad entry', () => {
    expect(() => parseOutboundList('SWITCHBOARD_OUTBOUND_DENY', ['10.0.0.0/33'])).toThrow(/SWITCHBOARD_OUTBOUND_DENY: "10.0.0.0\/33"/);
    expect(() => parseOutboundList('SWITCHBOARD_OUTBOUND_ALLOW', ['http://x'])).toThrow(/neither an address/);
  });
});

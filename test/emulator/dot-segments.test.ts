import { describe, expect, it } from 'vitest';
import { normalizeDotSegments } from '../../emulators/jira-server/server.ts';
import { withEmulator } from '../helpers/jira-client.ts';

describe('request paths, as Tomcat resolves them', () => {
  it('removes . and .. segments, never above the root, leaving the query alone', () => {
    expect(normalizeDotSegments('/jira/rest/api/2/issue/CE-1/comment/..')).toBe('/jira/rest/api/2/issue/CE-1/');
    expect(normalizeDotSegments('/a/./b/../c?jql=a/../b')).toBe('/a/c?jql=a/../b');
    expect(normalizeDotSegments('/../..')).toBe('/');
    expect(normalizeDotSegments('/a/..b/c.')).toBe('/a/..b/c.');
  });

  it('reach the resource the resolved path names, trailing slash or not', async () => {
    const em = await withEmulator({ contextPath: '/jira' });
    const origin = new URL(em.baseUrl).origin;
    const { Client } = await import('undici');
    const client = new Client(origin);
    const res = await client.request({
      method: 'GET',
      path: '/jira/rest/api/2/issue/CE-1/comment/..',
      headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { key: string }).key).toBe('CE-1');
    await client.close();
    await em.close();
  });
});

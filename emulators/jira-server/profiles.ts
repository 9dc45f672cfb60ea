/** Version lines and the behaviours that change between them (jira-server.md §1). */
export type VersionLine = 8 | 9 | 10 | 11;

export interface VersionProfile {
  version: string;
  numbers: [number, number, number];
  line: VersionLine;
  /** ≤ 8.x: `GET /rest/api/2/issue/createmeta` (global) exists. */
  globalCreateMeta: boolean;
  /** ≥ 8.14: personal access tokens. */
  personalAccessTokens: boolean;
  /** ≤ 9.x `/rest/webhooks/1.0/webhook`; ≥ 10.x `/rest/jira-webhook/1.0/webhooks`. */
  webhookApi: 'v1' | 'v10';
  /** ≥ 10.x: webhooks are delivered from a pool after the request completes. */
  asyncWebhooks: boolean;
  /** 11.x: basic auth and cookie login are off by default. */
  basicAuthDefault: boolean;
  /** ≥ 10.x: pinned comments. */
  pinnedComments: boolean;
}

export function profileFor(version: string): VersionProfile {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`--version must look like 10.3.17, got "${version}"`);
  const numbers: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const major = numbers[0];
  if (major < 8 || major > 11) throw new Error(`Jira ${version} is not emulated; use an 8.x, 9.x, 10.x or 11.x version`);
  const line = major as VersionLine;
  return {
    version,
    numbers,
    line,
    globalCreateMeta: line === 8,
    personalAccessTokens: line > 8 || numbers[1] >= 14,
    webhookApi: line >= 10 ? 'v10' : 'v1',
    asyncWebhooks: line >= 10,
    basicAuthDefault: line < 11,
    pinnedComments: line >= 10,
  };
}

export const DEFAULT_VERSION = '10.3.17';

import type { VersionProfile } from './profiles.ts';

/** Behaviour switches of the emulator; every [unverified] value of jira-server.md is one of these. */
export interface EmulatorConfig {
  profile: VersionProfile;
  /** Context path such as `/jira` ('' for none). */
  contextPath: string;
  /** Time zone of the instance: datetimes in JSON are written in it. */
  instanceZone: string;
  /** Consecutive bad passwords before the CAPTCHA state (`jira.maximum.authentication.attempts.allowed`); 0 = unlimited. */
  lockoutThreshold: number;
  /** `jira.search.views.default.max`. */
  searchMax: number;
  basicAuthEnabled: boolean;
  rateLimit: { enabled: boolean; capacity: number; fillRate: number; intervalSeconds: number };
  webhooks: { delayMs: number; timeoutMs: number; retries: number; sendAtlassianHeaders: boolean };
  /** Attachment size limit in bytes (`/attachment/meta` uploadLimit). */
  attachmentLimit: number;
  /** Added to every Jira answer: a real Jira is a network hop and a database away. */
  latencyMs: number;
  /**
   * Whether calls without credentials reach Jira at all. Some reverse proxies in front of Jira
   * answer every anonymous request 401, serverInfo included.
   */
  anonymousAccess: boolean;
}

export function defaultConfig(profile: VersionProfile, contextPath: string, instanceZone: string): EmulatorConfig {
  return {
    profile,
    contextPath,
    instanceZone,
    lockoutThreshold: 3,
    searchMax: 1000,
    basicAuthEnabled: profile.basicAuthDefault,
    rateLimit: { enabled: false, capacity: 100, fillRate: 10, intervalSeconds: 1 },
    webhooks: { delayMs: profile.asyncWebhooks ? 20 : 0, timeoutMs: 5000, retries: 0, sendAtlassianHeaders: false },
    attachmentLimit: 10 * 1024 * 1024,
    latencyMs: 0,
    anonymousAccess: true,
  };
}

import { ApiError, badRequest } from '../../platform/errors.ts';
import type { Configuration } from '../element-module.ts';
import type { JiraAuth } from './jira-http.ts';
import { normaliseSiteAddress } from './site-address.ts';

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/** Every required key that is missing, in the order of the definition. */
export function missingKeys(config: Configuration): string[] {
  const missing: string[] = [];
  const pat = present(config.personalAccessToken);
  if (!pat && !present(config.username)) missing.push('username');
  if (!pat && !present(config.password)) missing.push('password');
  if (!present(config.siteAddress)) missing.push('siteAddress');
  return missing;
}

const truthy = (v: unknown) => v === true || v === 'true';

/**
 * Checks the configuration of a jiraonprem instance and normalises `siteAddress`. Credentials are
 * either `username` + `password` or `personalAccessToken`. Event keys are checked here too, so a
 * bad callback URL fails the create instead of every later delivery.
 */
export function validateConfiguration(input: Configuration): Configuration {
  const missing = missingKeys(input);
  if (missing.length) {
    throw new ApiError('MISSING_CONFIGURATION', `Missing required configuration: ${missing.join(', ')}`);
  }
  const config: Configuration = { ...input, siteAddress: normaliseSiteAddress(input.siteAddress) };
  for (const key of ['username', 'password', 'personalAccessToken']) {
    if (present(config[key]) && typeof config[key] !== 'string') throw badRequest(`${key} must be a string`);
  }
  // Checked here, because an HTTP header cannot carry them: Jira would otherwise look unreachable.
  if (present(config.personalAccessToken)) {
    // A token pasted with a line break around it is still the token.
    const token = String(config.personalAccessToken).trim();
    config.personalAccessToken = token;
    if (!/^[\x21-\x7e]+$/.test(token)) throw badRequest('personalAccessToken must be the token alone, without spaces or line breaks');
  } else if (String(config.username).includes(':')) {
    throw badRequest('username cannot contain ":" (basic authentication cannot carry it); use a personal access token');
  }
  const ca = config['ssl.ca.certificate'];
  if (present(ca) && (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----'))) {
    throw badRequest('ssl.ca.certificate must be a PEM certificate (-----BEGIN CERTIFICATE----- …)');
  }
  const vendorType = config['event.vendor.type'];
  if (present(vendorType) && !['polling', 'webhook', 'webhooks'].includes(String(vendorType))) {
    throw badRequest(`event.vendor.type must be polling or webhook, not "${String(vendorType).slice(0, 50)}"`);
  }
  const interval = config['event.poller.refresh_interval'];
  if (present(interval) && !/^\d{1,9}$/.test(String(interval).trim())) throw badRequest('event.poller.refresh_interval must be a whole number of minutes');
  if (present(interval) && Number(interval) < 1) throw badRequest('event.poller.refresh_interval must be at least 1 minute');
  const poller = config['event.poller.configuration'];
  if (present(poller) && typeof poller === 'string') {
    try {
      const parsed = JSON.parse(poller) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      throw badRequest('event.poller.configuration must be a JSON object keyed by resource, e.g. {"incidents": {...}}');
    }
  } else if (present(poller) && (typeof poller !== 'object' || Array.isArray(poller))) {
    throw badRequest('event.poller.configuration must be a JSON object keyed by resource');
  }
  if (truthy(config['event.notification.enabled'])) {
    const callback = config['event.notification.callback.url'];
    if (!present(callback)) throw badRequest('event.notification.callback.url is required when event.notification.enabled is true');
    let url: URL | undefined;
    try { url = new URL(String(callback)); } catch { /* reported below */ }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw badRequest(`event.notification.callback.url "${String(callback).slice(0, 200)}" is not an http(s) URL`);
  }
  return config;
}

export function authFrom(config: Configuration): JiraAuth {
  if (present(config.personalAccessToken)) return { kind: 'bearer', token: String(config.personalAccessToken) };
  return { kind: 'basic', username: String(config.username), password: String(config.password) };
}

/** Keys whose change means Jira must check the credentials again. */
export const CREDENTIAL_KEYS = ['username', 'password', 'personalAccessToken', 'siteAddress', 'ssl.ca.certificate'];

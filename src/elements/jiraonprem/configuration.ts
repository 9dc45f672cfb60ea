import { ApiError, badRequest } from '../../platform/errors.ts';
import type { Configuration } from '../element-module.ts';
import type { VendorAuth } from '../../platform/vendor-http/vendor-request.ts';
import { normaliseSiteAddress } from '../../platform/site-address.ts';

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

/**
 * Checks the configuration of a jiraonprem instance and normalises `siteAddress`. Credentials are
 * either `username` + `password` or `personalAccessToken`. (The platform checks its own keys.)
 */
export function validateConfiguration(input: Configuration): Configuration {
  const missing = missingKeys(input);
  if (missing.length) {
    throw new ApiError('MISSING_CONFIGURATION', `Missing required configuration: ${missing.join(', ')}`);
  }
  const config: Configuration = { ...input, siteAddress: normaliseSiteAddress(input.siteAddress, 'https://jira.example.com or https://example.com/jira') };
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
  return config;
}

export function authFrom(config: Configuration): VendorAuth {
  if (present(config.personalAccessToken)) return { kind: 'bearer', token: String(config.personalAccessToken) };
  return { kind: 'basic', username: String(config.username), password: String(config.password) };
}

/** Keys whose change means Jira must check the credentials again. */
export const CREDENTIAL_KEYS = ['username', 'password', 'personalAccessToken', 'siteAddress', 'ssl.ca.certificate'];

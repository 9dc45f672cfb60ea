import { ApiError, badRequest } from '../../platform/errors.ts';
import { normaliseSiteAddress } from '../../platform/site-address.ts';
import type { Configuration } from '../element-module.ts';

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/**
 * Checks the configuration of a redmine instance and normalises `siteAddress`. Credentials are
 * either `apiKey` or `username` + `password`. (The platform checks its own keys.)
 */
export function validateConfiguration(input: Configuration): Configuration {
  const missing: string[] = [];
  if (!present(input.siteAddress)) missing.push('siteAddress');
  if (!present(input.apiKey)) {
    if (!present(input.username)) missing.push('apiKey (or username and password)');
    else if (!present(input.password)) missing.push('password');
  }
  if (missing.length) throw new ApiError('MISSING_CONFIGURATION', `Missing required configuration: ${missing.join(', ')}`);
  const config: Configuration = { ...input, siteAddress: normaliseSiteAddress(input.siteAddress, 'https://redmine.example.com') };
  for (const key of ['apiKey', 'username', 'password']) {
    if (present(config[key]) && typeof config[key] !== 'string') throw badRequest(`${key} must be a string`);
  }
  // Checked here, because an HTTP header cannot carry them: Redmine would otherwise look unreachable.
  if (present(config.apiKey)) {
    const key = String(config.apiKey).trim();
    config.apiKey = key;
    if (!/^[\x21-\x7e]+$/.test(key)) throw badRequest('apiKey must be the key alone, without spaces or line breaks');
  } else if (String(config.username).includes(':')) {
    throw badRequest('username cannot contain ":" (basic authentication cannot carry it); use an API key');
  }
  return config;
}

/** The request headers that authenticate as the instance's Redmine user. */
export function credentialHeaders(config: Configuration): { authorization?: string; 'x-redmine-api-key'?: string } {
  if (present(config.apiKey)) return { 'x-redmine-api-key': String(config.apiKey) };
  return { authorization: `Basic ${Buffer.from(`${String(config.username)}:${String(config.password)}`).toString('base64')}` };
}

/** Keys whose change means Redmine must check the credentials again. */
export const CREDENTIAL_KEYS = ['siteAddress', 'apiKey', 'username', 'password'];

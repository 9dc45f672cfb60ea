import type { HubContext } from '../../../hubs/hub-contract.ts';
import { badRequest } from '../../../platform/errors.ts';
import { VendorClient } from '../../../platform/vendor-http/vendor-client.ts';
import { targetOf, type VendorHttpOptions } from '../../../platform/vendor-http/vendor-request.ts';
import { credentialHeaders } from '../configuration.ts';
import { redmineDialect } from '../redmine-dialect.ts';

/**
 * Redmine's REST API (JSON) for one instance: the platform's vendor client (deadlines, bounded
 * answers, 429 with Retry-After, never a retry of 401/403, the hub's error mapping) speaking
 * Redmine's dialect.
 */
export class RedmineApi extends VendorClient {
  constructor(context: HubContext) {
    super(optionsFor(context), redmineDialect);
  }
}

/** Worked out once per context from the configuration; the dispatcher is this call's own. */
function optionsFor(context: HubContext): VendorHttpOptions {
  const fixed = context.memo('redmine-http-options', () => {
    const config = context.instance.configuration;
    const baseUrl = String(config.siteAddress);
    const { authorization, ...headers } = credentialHeaders(config);
    return { baseUrl, target: targetOf(baseUrl), authorization, credentialHeaders: headers };
  });
  return { ...fixed, dispatcher: context.http.dispatcher(), timeoutMs: context.timeoutMs, answerLimit: context.http.answerLimit };
}

export const enc = encodeURIComponent;

/** A request body must be one JSON object in Redmine's shape, without its wrapper: `{"subject": …}`, not `{"issue": {…}}`. */
export function objectBody(body: unknown, example: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(`The request body must be a JSON object in Redmine's shape, e.g. ${example}`);
  return body as Record<string, unknown>;
}

import type { HubContext } from '../../../hubs/hub-contract.ts';
import { VendorClient } from '../../../platform/vendor-http/vendor-client.ts';
import { authorizationHeader, targetOf, type VendorHttpOptions } from '../../../platform/vendor-http/vendor-request.ts';
import { authFrom } from '../configuration.ts';
import { jiraDialect } from '../jira-dialect.ts';

/**
 * Jira REST v2 for one instance: the platform's vendor client (deadlines, bounded answers,
 * 429 with Retry-After, never a retry of 401/403, the hub's error mapping) speaking Jira's dialect.
 */
export class JiraApi extends VendorClient {
  constructor(context: HubContext, sleep?: (ms: number) => Promise<void>) {
    super(optionsFor(context), jiraDialect, sleep);
  }
}

/**
 * The instance's Jira options: what comes from its configuration is worked out once per context
 * (the platform keeps one per cached instance); the dispatcher is taken from this call's `http`,
 * which counts and traces the vendor calls of one API call and so differs from call to call.
 */
function optionsFor(context: HubContext): VendorHttpOptions {
  const fixed = context.memo('jira-http-options', () => {
    const config = context.instance.configuration;
    const baseUrl = String(config.siteAddress);
    return {
      baseUrl,
      target: targetOf(baseUrl),
      authorization: authorizationHeader(authFrom(config)),
      ca: typeof config['ssl.ca.certificate'] === 'string' ? config['ssl.ca.certificate'] : undefined,
    };
  });
  return {
    baseUrl: fixed.baseUrl,
    target: fixed.target,
    authorization: fixed.authorization,
    dispatcher: context.http.dispatcher({ ca: fixed.ca }),
    timeoutMs: context.timeoutMs,
    answerLimit: context.http.answerLimit,
  };
}

export const enc = encodeURIComponent;

/** Jira's path of one issue, by id or key. */
export const issuePath = (idOrKey: string) => `/rest/api/2/issue/${enc(idOrKey)}`;

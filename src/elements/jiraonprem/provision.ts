import { ApiError } from '../../platform/errors.ts';
import type { Configuration, ElementContext, VendorMeta } from '../element-module.ts';
import { authFrom } from './configuration.ts';
import {
  authorizationHeader,
  header,
  vendorRequest,
  VendorNetworkError,
  type VendorHttpOptions,
  type VendorResponse,
} from '../../platform/vendor-http/vendor-request.ts';
import { providerMessage as providerMessageOf } from '../../platform/vendor-http/vendor-client.ts';
import { jiraDialect } from './jira-dialect.ts';

const providerMessage = (res: VendorResponse) => providerMessageOf(res, jiraDialect);

function unreachable(err: VendorNetworkError): ApiError {
  // Jira's serverInfo and myself answers are a few hundred bytes; a huge one is not Jira.
  if (err.cause_ === 'too-large') return new ApiError('PROVIDER_NOT_RECOGNISED', `siteAddress does not answer like Jira Server or Data Center: ${err.message}`);
  return new ApiError('PROVIDER_UNREACHABLE', `Cannot reach siteAddress: ${err.message}`);
}

function json(res: VendorResponse): Record<string, unknown> | undefined {
  if (!res.contentType.includes('json')) return undefined;
  try {
    const v = JSON.parse(res.text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** serverInfo read with proven credentials; `undefined` when even that does not tell the version. */
async function serverInfoAsUser(base: VendorHttpOptions, authorization: string): Promise<Record<string, unknown> | undefined> {
  try {
    const info = await vendorRequest({ ...base, authorization }, 'GET', '/rest/api/2/serverInfo');
    const server = json(info);
    return info.status === 200 && server !== undefined && Array.isArray(server.versionNumbers) ? server : undefined;
  } catch (err) {
    if (err instanceof VendorNetworkError) return undefined;
    throw err;
  }
}

/**
 * Checks an instance's Jira before anything is stored (open-connectors-api.md §2.6):
 * 1. `GET /rest/api/2/serverInfo` without credentials: is this Jira Server/DC, which version?
 *    (Credentials are never sent to an address that does not answer like Jira.)
 * 2. `GET /rest/api/2/myself` with the credentials, exactly once: a failure is never retried,
 *    because every retry counts towards Jira's CAPTCHA lockout.
 * 3. When a reverse proxy refused the anonymous serverInfo, it is read once more with the
 *    credentials that step 2 proved: the version decides which webhook API is used.
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/serverInfo
 * https://docs.atlassian.com/software/jira/docs/api/REST/latest/#api/2/myself
 */
export async function provision(config: Configuration, context: ElementContext): Promise<VendorMeta> {
  const siteAddress = String(config.siteAddress);
  const ca = typeof config['ssl.ca.certificate'] === 'string' ? config['ssl.ca.certificate'] : undefined;
  const base: VendorHttpOptions = {
    baseUrl: siteAddress,
    dispatcher: context.http.dispatcher({ ca }),
    timeoutMs: context.timeoutMs,
    answerLimit: context.http.answerLimit,
  };

  let info: VendorResponse;
  try {
    info = await vendorRequest(base, 'GET', '/rest/api/2/serverInfo');
  } catch (err) {
    if (err instanceof VendorNetworkError) throw unreachable(err);
    throw err;
  }
  const server = json(info);
  const recognised = info.status === 200 && server !== undefined && Array.isArray(server.versionNumbers);
  if (!recognised && info.status !== 401 && info.status !== 403) {
    throw new ApiError(
      'PROVIDER_NOT_RECOGNISED',
      `siteAddress does not answer like Jira Server or Data Center: GET ${siteAddress}/rest/api/2/serverInfo gave HTTP ${info.status} (${info.contentType || 'no content type'}); check the address and its context path (e.g. /jira)`,
      { providerMessage: providerMessage(info), providerCode: info.status },
    );
  }
  if (server?.deploymentType === 'Cloud') {
    throw new ApiError('PROVIDER_NOT_RECOGNISED', 'siteAddress is a Jira Cloud site; jiraonprem connects to Jira Server and Data Center');
  }

  const auth = authFrom(config);
  let me: VendorResponse;
  try {
    me = await vendorRequest({ ...base, authorization: authorizationHeader(auth) }, 'GET', '/rest/api/2/myself');
  } catch (err) {
    if (err instanceof VendorNetworkError) throw unreachable(err);
    throw err;
  }
  const denied = header(me, 'x-authentication-denied-reason');
  if (me.status === 403 && denied?.startsWith('CAPTCHA_CHALLENGE')) {
    const login = /login-url=(\S+)/.exec(denied)?.[1];
    throw new ApiError(
      'PROVIDER_ACCOUNT_LOCKED',
      `Jira account locked by CAPTCHA: log in once through the Jira web UI${login ? ` (${login})` : ''}, then try again`,
      { providerMessage: providerMessage(me), providerCode: 403 },
    );
  }
  const user = json(me);
  const asUser = header(me, 'x-ausername');
  if (me.status === 401 || (me.status === 200 && (asUser === 'anonymous' || !user?.name))) {
    const reason = header(me, 'x-seraph-loginreason');
    throw new ApiError('PROVIDER_AUTH_FAILED', auth.kind === 'bearer' ? 'Invalid Jira personal access token' : 'Invalid Jira credentials', {
      providerMessage: reason ? `${providerMessage(me)} (X-Seraph-LoginReason: ${reason})` : providerMessage(me),
      providerCode: me.status,
    });
  }
  if (me.status === 403) {
    const text = providerMessage(me);
    const basicOff = /basic auth/i.test(text);
    throw new ApiError(
      'PROVIDER_REJECTED',
      basicOff
        ? 'Jira has basic authentication turned off; use a personal access token (configuration key personalAccessToken) instead of username and password'
        : `Jira refused the credentials check (HTTP 403)`,
      { providerMessage: text, providerCode: 403 },
    );
  }
  if (me.status !== 200 || !user) {
    throw new ApiError('PROVIDER_REJECTED', `Jira answered the credentials check with HTTP ${me.status}`, {
      providerMessage: providerMessage(me),
      providerCode: me.status,
    });
  }
  const known = recognised ? server : await serverInfoAsUser(base, authorizationHeader(auth));
  return {
    jira: known
      ? {
          version: known.version,
          versionNumbers: known.versionNumbers,
          deploymentType: known.deploymentType,
          baseUrl: known.baseUrl,
          serverTitle: known.serverTitle,
        }
      : null,
    user: { name: user.name, key: user.key, displayName: user.displayName, emailAddress: user.emailAddress, timeZone: user.timeZone },
    authMethod: auth.kind === 'bearer' ? 'personalAccessToken' : 'basic',
  };
}

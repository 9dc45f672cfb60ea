import { ApiError } from '../../platform/errors.ts';
import { providerMessage as providerMessageOf } from '../../platform/vendor-http/vendor-client.ts';
import { header, vendorRequest, VendorNetworkError, type VendorHttpOptions, type VendorResponse } from '../../platform/vendor-http/vendor-request.ts';
import type { Configuration, ElementContext, VendorMeta } from '../element-module.ts';
import { credentialHeaders } from './configuration.ts';
import { redmineDialect } from './redmine-dialect.ts';

const providerMessage = (res: VendorResponse) => providerMessageOf(res, redmineDialect);

function unreachable(err: VendorNetworkError): ApiError {
  // /users/current.json is a few hundred bytes; a huge answer is not Redmine's.
  if (err.cause_ === 'too-large') return new ApiError('PROVIDER_NOT_RECOGNISED', `siteAddress does not answer like Redmine: ${err.message}`);
  return new ApiError('PROVIDER_UNREACHABLE', `Cannot reach siteAddress: ${err.message}`);
}

async function call(options: VendorHttpOptions, headers: Record<string, string>): Promise<VendorResponse> {
  try {
    return await vendorRequest(options, 'GET', '/users/current.json', undefined, headers);
  } catch (err) {
    if (err instanceof VendorNetworkError) throw unreachable(err);
    throw err;
  }
}

/** Redmine's 401: its REST API asks for credentials in the realm "Redmine API". */
const asksRedmineLogin = (res: VendorResponse) => res.status === 401 && /Redmine API/.test(header(res, 'www-authenticate') ?? '');

/**
 * Checks an instance's Redmine before anything is stored:
 * 1. `GET /users/current.json` without credentials: Redmine asks for them (401, realm "Redmine
 *    API"), or refuses with 403 when its REST API is switched off. Credentials are never sent to
 *    an address that does not answer like Redmine.
 * 2. The same with the credentials, exactly once and never retried (a retry of a refused login
 *    only counts against the account).
 * https://www.redmine.org/projects/redmine/wiki/Rest_Users#usersidformat
 */
export async function provision(config: Configuration, context: ElementContext): Promise<VendorMeta> {
  const siteAddress = String(config.siteAddress);
  const options: VendorHttpOptions = {
    baseUrl: siteAddress,
    dispatcher: context.http.dispatcher(),
    timeoutMs: context.timeoutMs,
    answerLimit: context.http.answerLimit,
  };
  const anonymous = await call(options, {});
  const restOff = () =>
    new ApiError(
      'PROVIDER_REJECTED',
      "Redmine's REST API is switched off: enable it in Redmine under Administration → Settings → API → Enable REST web service",
      { providerMessage: providerMessage(anonymous), providerCode: 403 },
    );
  if (anonymous.status === 403 && redmineDialect.ownsAnswer(anonymous)) throw restOff();
  if (!asksRedmineLogin(anonymous)) {
    throw new ApiError(
      'PROVIDER_NOT_RECOGNISED',
      `siteAddress does not answer like Redmine: GET ${siteAddress}/users/current.json gave HTTP ${anonymous.status} (${anonymous.contentType || 'no content type'}) where Redmine asks for credentials; check the address and its path (e.g. /redmine)`,
      { providerMessage: providerMessage(anonymous), providerCode: anonymous.status },
    );
  }
  const byKey = typeof config.apiKey === 'string' && config.apiKey !== '';
  const me = await call(options, credentialHeaders(config) as Record<string, string>);
  if (me.status === 401) {
    throw new ApiError('PROVIDER_AUTH_FAILED', byKey ? 'Invalid Redmine API key' : 'Invalid Redmine login or password', {
      providerMessage: providerMessage(me),
      providerCode: 401,
    });
  }
  if (me.status === 403) throw restOff();
  let user: { id?: unknown; login?: unknown; firstname?: unknown; lastname?: unknown; admin?: unknown } | undefined;
  try {
    user = me.status === 200 ? (JSON.parse(me.text) as { user?: typeof user }).user : undefined;
  } catch {
    user = undefined;
  }
  if (!user || typeof user.id !== 'number') {
    throw new ApiError('PROVIDER_REJECTED', `Redmine answered the credentials check with HTTP ${me.status}`, {
      providerMessage: providerMessage(me),
      providerCode: me.status,
    });
  }
  return {
    user: { id: user.id, login: user.login, name: `${String(user.firstname ?? '')} ${String(user.lastname ?? '')}`.trim(), admin: user.admin === true },
    authMethod: byKey ? 'apiKey' : 'basic',
  };
}

import type { VendorDialect } from '../../platform/vendor-http/vendor-client.ts';
import { header } from '../../platform/vendor-http/vendor-request.ts';

/**
 * Redmine's HTTP dialect: its error body is `{"errors": ["Subject cannot be blank", …]}` (422),
 * a missing record is a 404 with an empty body, and a refused login is a 401 whose
 * `WWW-Authenticate` names the realm "Redmine API".
 */
export const redmineDialect: VendorDialect = {
  name: 'Redmine',
  errorText(body) {
    if (!body || typeof body !== 'object') return undefined;
    const errors = (body as { errors?: unknown }).errors;
    return Array.isArray(errors) && errors.length ? errors.map(String).join('; ') : undefined;
  },
  // Redmine is a Rails application: every answer carries X-Request-Id and X-Runtime.
  ownsAnswer(res) {
    return (header(res, 'x-request-id') !== undefined && header(res, 'x-runtime') !== undefined) || /Redmine/.test(header(res, 'www-authenticate') ?? '');
  },
};

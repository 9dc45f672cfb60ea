import { ApiError } from '../../platform/errors.ts';
import type { VendorDialect } from '../../platform/vendor-http/vendor-client.ts';
import { header } from '../../platform/vendor-http/vendor-request.ts';

/**
 * Jira Server's HTTP dialect (jira-server.md §3–4): its error body is `{errorMessages, errors}`
 * (some resources answer `{message}`), and a 403 with `X-Authentication-Denied-Reason:
 * CAPTCHA_CHALLENGE` is its login lockout, which only a login in its web UI lifts.
 */
export const jiraDialect: VendorDialect = {
  name: 'Jira',
  errorText(body) {
    if (!body || typeof body !== 'object') return undefined;
    const b = body as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    const parts = [
      ...(Array.isArray(b.errorMessages) ? b.errorMessages.map(String) : []),
      ...(b.errors && typeof b.errors === 'object' ? Object.entries(b.errors).map(([k, v]) => `${k}: ${String(v)}`) : []),
      ...(typeof b.message === 'string' ? [b.message] : []),
    ];
    return parts.length ? parts.join('; ') : undefined;
  },
  // Jira Server sends X-AREQUESTID and X-AUSERNAME on every answer (jira-server.md §3.1), and a
  // login problem is named in X-Seraph-LoginReason or X-Authentication-Denied-Reason.
  ownsAnswer(res) {
    return ['x-arequestid', 'x-ausername', 'x-seraph-loginreason', 'x-authentication-denied-reason'].some((name) => header(res, name) !== undefined);
  },
  specialError(res, extras) {
    if (res.status === 403 && header(res, 'x-authentication-denied-reason')?.startsWith('CAPTCHA_CHALLENGE')) {
      return new ApiError(
        'PROVIDER_FORBIDDEN',
        "The instance's Jira user is locked by Jira's CAPTCHA after failed logins: log in once through the Jira web UI",
        { ...extras, credentialsRejected: true },
      );
    }
    return undefined;
  },
};

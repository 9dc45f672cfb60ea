import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.ts';
import { maskSecretQuery, REDACTED } from '../platform/secret-names.ts';
import type { UsageRecorder } from './usage-recorder.ts';

/** What a hub call adds to its usage record: the instance behind the token, and its vendor calls. */
export interface HubCallUsage {
  instanceId: number;
  elementKey: string;
  hub: string;
  vendorCalls: number;
  vendorMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the hub when it has resolved the instance; counts the call's vendor calls. */
    hubCall: HubCallUsage | null;
  }
}

/**
 * One usage record per authenticated API call, handed to the recorder when the answer has gone
 * (the recorder writes them in batches, off the request). Unauthenticated calls (a refused
 * secret, a vendor's webhook) have no organization to belong to and are not recorded. With
 * `SWITCHBOARD_USAGE_RECORDING=false` nothing is recorded.
 */
export function registerUsageRecording(app: FastifyInstance, deps: { recorder: UsageRecorder; clock: Clock; apiPrefix: string; enabled: boolean }): void {
  app.decorateRequest('hubCall', null);
  if (!deps.enabled) return;
  // One ISO text per millisecond: under load several calls share it, and formatting a date costs
  // more than the rest of the record.
  let lastMs = Number.NaN;
  let lastIso = '';
  const isoOf = (date: Date) => {
    const ms = date.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = date.toISOString();
    }
    return lastIso;
  };
  app.addHook('onResponse', (request, reply, done) => {
    const identity = request.identity;
    if (identity && request.url.startsWith(deps.apiPrefix)) {
      const hub = request.hubCall;
      const url = (request.accessLogUrl ?? request.url).slice(deps.apiPrefix.length) || '/';
      const route = request.routeOptions.url;
      deps.recorder.record({
        request_id: request.id,
        organization_id: identity.organizationId,
        account_id: identity.user.accountId,
        user_id: identity.user.id,
        instance_id: hub?.instanceId ?? null,
        element_key: hub?.elementKey ?? null,
        hub: hub?.hub ?? null,
        method: request.method,
        route: route === undefined ? 'unmatched' : route.slice(deps.apiPrefix.length) || '/',
        request_uri: maskSecretQuery(url, REDACTED),
        status: reply.statusCode,
        process_time_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        vendor_calls: hub?.vendorCalls ?? 0,
        vendor_time_ms: Math.round((hub?.vendorMs ?? 0) * 1000) / 1000,
        request_ip: request.ip,
        usage_date: isoOf(deps.clock.now()),
      });
    }
    done();
  });
}

import type { FastifyInstance } from 'fastify';
import type { Clock } from '../platform/clock.ts';
import { maskSecretQuery, REDACTED } from '../platform/secret-names.ts';
import type { UsageRecorder } from './usage-recorder.ts';
import type { Identity } from '../auth/identity.ts';

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

/** What a usage record says of one answered call. */
export interface AnsweredCall {
  requestId: string;
  /** Who called; a call without one (a refused secret, a vendor's webhook) gets no record. */
  identity: Identity | null;
  hubCall: HubCallUsage | null;
  method: string;
  /** As received, path and query; `loggedUrl` replaces it where it holds a secret. */
  url: string;
  loggedUrl: string | null;
  /** The matched route's template, with the API prefix; undefined when none matched. */
  route: string | undefined;
  status: number;
  elapsedMs: number;
  ip: string;
  /** Why the answer was cut short after its status and headers went (a failing download). */
  error?: Error | undefined;
}

/** The usage records of answered calls. */
export interface UsageRecording {
  /** Whether a call by this caller to this URL (path and query, as received) leaves a record. */
  covers(identity: Identity | null, url: string): boolean;
  record(call: AnsweredCall): void;
}

/**
 * One usage record per authenticated API call, handed to the recorder when the answer has gone
 * (the recorder writes them in batches, off the request). Unauthenticated calls (a refused
 * secret, a vendor's webhook) have no organization to belong to and are not recorded. With
 * `SWITCHBOARD_USAGE_RECORDING=false` nothing is recorded.
 */
export function usageRecording(deps: { recorder: UsageRecorder; clock: Clock; apiPrefix: string; enabled: boolean }): UsageRecording | undefined {
  if (!deps.enabled) return undefined;
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
  const covers = (identity: Identity | null, url: string): identity is Identity => identity !== null && url.startsWith(deps.apiPrefix);
  const record = (call: AnsweredCall) => {
    const identity = call.identity;
    if (!covers(identity, call.url)) return;
    const hub = call.hubCall;
    const url = (call.loggedUrl ?? call.url).slice(deps.apiPrefix.length) || '/';
    const route = call.route;
    deps.recorder.record({
      request_id: call.requestId,
      organization_id: identity.organizationId,
      account_id: identity.user.accountId,
      user_id: identity.user.id,
      instance_id: hub?.instanceId ?? null,
      element_key: hub?.elementKey ?? null,
      hub: hub?.hub ?? null,
      method: call.method,
      route: route === undefined ? 'unmatched' : route.slice(deps.apiPrefix.length) || '/',
      request_uri: maskSecretQuery(url, REDACTED),
      status: call.status,
      process_time_ms: Math.round(call.elapsedMs * 1000) / 1000,
      vendor_calls: hub?.vendorCalls ?? 0,
      vendor_time_ms: Math.round((hub?.vendorMs ?? 0) * 1000) / 1000,
      request_ip: call.ip,
      usage_date: isoOf(deps.clock.now()),
    });
  };
  return { covers, record };
}

/** Records every call Fastify answers (`usageRecording`); `undefined` records none. */
export function registerUsageRecording(app: FastifyInstance, recording: UsageRecording | undefined): void {
  app.decorateRequest('hubCall', null);
  if (!recording) return;
  const { record } = recording;
  app.addHook('onResponse', (request, reply, done) => {
    // Checked here as well, so that a call without a caller costs no object.
    if (request.identity)
      record({
        requestId: request.id,
        identity: request.identity,
        hubCall: request.hubCall,
        method: request.method,
        url: request.url,
        loggedUrl: request.accessLogUrl,
        route: request.routeOptions.url,
        status: reply.statusCode,
        elapsedMs: reply.elapsedTime,
        ip: request.ip,
      });
    done();
  });
}

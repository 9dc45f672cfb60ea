import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.ts';
import { profileFor } from '../profiles.ts';
import { normaliseContext } from '../emulator.ts';
import type { Fault } from '../guards.ts';
import { CONTROL_PREFIX } from '../server.ts';

/**
 * The control API (jira-server.md §12.10), under a prefix Jira never uses: reset and reseed,
 * the clock, the notify outbox and webhook deliveries, the request log, lockouts, configuration
 * and faults.
 */
export function registerControlRoutes(app: FastifyInstance, em: Emulator): void {
  const p = CONTROL_PREFIX;
  const body = (b: unknown) => (b !== null && typeof b === 'object' ? (b as Record<string, unknown>) : {});

  app.post(`${p}/reset`, async () => {
    em.reset(false);
    return { ok: true };
  });
  app.post(`${p}/seed`, async (request) => {
    const issues = Number(body(request.body).issues ?? 120);
    em.reset(true, Number.isFinite(issues) && issues >= 0 ? issues : 120);
    return { ok: true, issues: em.state.issues.size };
  });

  app.get(`${p}/clock`, async () => ({ now: new Date(em.clock.now()).toISOString() }));
  app.put(`${p}/clock`, async (request, reply) => {
    const b = body(request.body);
    if (typeof b.advanceMs === 'number') em.clock.advance(b.advanceMs);
    else if (typeof b.now === 'string' || typeof b.now === 'number') {
      const ms = typeof b.now === 'number' ? b.now : Date.parse(b.now);
      if (Number.isNaN(ms)) return reply.code(400).send({ message: 'now must be an ISO date or epoch ms' });
      em.clock.set(ms, b.freeze === true);
    } else return reply.code(400).send({ message: 'send {"now": "<iso>", "freeze"?: true} or {"advanceMs": n}' });
    return { now: new Date(em.clock.now()).toISOString() };
  });

  app.get(`${p}/outbox`, async () => em.state.outbox);
  // The latest requests to the Jira API, oldest first (at most 1,000); DELETE empties the log.
  app.get(`${p}/requests`, async () => em.requests.list());
  app.delete(`${p}/requests`, async () => {
    em.requests.clear();
    return { ok: true };
  });
  app.get(`${p}/deliveries`, async () => {
    await em.webhooks.idle();
    return em.state.deliveries;
  });

  app.get(`${p}/users/:name`, async (request, reply) => {
    const u = em.state.userByName((request.params as { name: string }).name);
    if (!u) return reply.code(404).send({ message: 'no such user' });
    return { name: u.name, key: u.key, failedLogins: u.failedLogins, captcha: u.captcha, timeZone: u.timeZone };
  });

  app.post(`${p}/users/:name/clear-lockout`, async (request, reply) => {
    const u = em.state.userByName((request.params as { name: string }).name);
    if (!u) return reply.code(404).send({ message: 'no such user' });
    u.failedLogins = 0;
    u.captcha = false;
    return { ok: true };
  });

  app.get(`${p}/config`, async () => em.config);
  app.put(`${p}/config`, async (request, reply) => {
    const b = body(request.body);
    try {
      if (typeof b.version === 'string') {
        em.config.profile = profileFor(b.version);
        em.config.basicAuthEnabled = em.config.profile.basicAuthDefault;
      }
    } catch (err) {
      return reply.code(400).send({ message: (err as Error).message });
    }
    if (typeof b.contextPath === 'string' && normaliseContext(b.contextPath) !== em.config.contextPath) {
      return reply.code(400).send({ message: 'the context path is fixed at start (--context)' });
    }
    if (typeof b.instanceZone === 'string') em.config.instanceZone = b.instanceZone;
    if (typeof b.lockoutThreshold === 'number') em.config.lockoutThreshold = b.lockoutThreshold;
    if (typeof b.searchMax === 'number') em.config.searchMax = b.searchMax;
    if (typeof b.basicAuthEnabled === 'boolean') em.config.basicAuthEnabled = b.basicAuthEnabled;
    if (typeof b.attachmentLimit === 'number') em.config.attachmentLimit = b.attachmentLimit;
    if (typeof b.latencyMs === 'number' && b.latencyMs >= 0) em.config.latencyMs = b.latencyMs;
    if (typeof b.anonymousAccess === 'boolean') em.config.anonymousAccess = b.anonymousAccess;
    if (b.rateLimit && typeof b.rateLimit === 'object') {
      em.config.rateLimit = { ...em.config.rateLimit, ...(b.rateLimit as object) };
      em.limiter.clear();
    }
    if (b.webhooks && typeof b.webhooks === 'object') em.config.webhooks = { ...em.config.webhooks, ...(b.webhooks as object) };
    if (b.userTimeZones && typeof b.userTimeZones === 'object') {
      for (const [name, zone] of Object.entries(b.userTimeZones as Record<string, string>)) {
        const u = em.state.userByName(name);
        if (u) u.timeZone = zone;
      }
    }
    return em.config;
  });

  app.get(`${p}/faults`, async () => em.faults.list());
  app.post(`${p}/faults`, async (request, reply) => {
    const b = body(request.body) as Partial<Fault>;
    if (typeof b.path !== 'string' || !['status', 'html', 'delay', 'drop'].includes(String(b.kind))) {
      return reply.code(400).send({ message: 'send {"path": "<regexp>", "kind": "status|html|delay|drop", "count"?, "status"?, "delayMs"?, "method"?}' });
    }
    try {
      return em.faults.add({ ...(b as Omit<Fault, 'id'>), remaining: Number((b as { count?: number }).count ?? 1) });
    } catch {
      return reply.code(400).send({ message: 'path is not a valid regular expression' });
    }
  });
  app.delete(`${p}/faults`, async () => {
    em.faults.clear();
    return { ok: true };
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.ts';
import type { WebhookRegistration } from '../state/model.ts';
import { caller } from '../server.ts';
import { jiraError } from '../replies.ts';
import { objectBody, requireAdmin } from './helpers.ts';

/**
 * Both webhook admin APIs (jira-server.md §5): `/rest/webhooks/1.0/webhook` up to 9.x and
 * `/rest/jira-webhook/1.0/webhooks` from 10.x. The other line's path answers 404, as on a real Jira.
 */
export function registerWebhookRoutes(app: FastifyInstance, em: Emulator): void {
  const v1Self = (h: WebhookRegistration) => `${em.baseUrl}/rest/webhooks/1.0/webhook/${h.id}`;
  const v1Json = (h: WebhookRegistration) => ({
    self: v1Self(h),
    name: h.name,
    url: h.url,
    excludeBody: h.excludeBody,
    filters: { 'issue-related-events-section': h.jql ?? '' },
    events: h.events,
    enabled: h.enabled,
    lastUpdatedUser: h.lastUpdatedUserKey,
    lastUpdatedDisplayName: em.state.userByKey(h.lastUpdatedUserKey)?.displayName ?? '',
    lastUpdated: h.updatedDate,
  });
  const v10Json = (h: WebhookRegistration) => ({
    id: h.id,
    name: h.name,
    url: h.url,
    events: h.events,
    createdDate: h.createdDate,
    updatedDate: h.updatedDate,
    configuration: { FILTERS: h.jql ?? '', EXCLUDE_BODY: String(h.excludeBody) },
    active: h.enabled,
    scopeType: 'GLOBAL',
    sslVerificationRequired: true,
    statistics: {
      counts: { errors: h.stats.errors, failures: h.stats.failures, successes: h.stats.successes, window: { start: h.createdDate, duration: 3600000 } },
      lastError: h.stats.lastError,
    },
  });

  const guard = (api: 'v1' | 'v10', request: FastifyRequest, reply: FastifyReply): boolean => {
    if (em.config.profile.webhookApi !== api) {
      jiraError(reply, 404, [`null for uri: ${request.url}`]);
      return false;
    }
    return requireAdmin(em, request, reply, 'Only Jira administrators can manage webhooks.');
  };

  const parse = (
    api: 'v1' | 'v10',
    b: Record<string, unknown>,
    reply: FastifyReply,
  ): Omit<WebhookRegistration, 'id' | 'createdDate' | 'updatedDate' | 'lastUpdatedUserKey' | 'api' | 'stats'> | undefined => {
    const errors: string[] = [];
    if (typeof b.name !== 'string' || b.name.trim() === '') errors.push('Webhook name is required.');
    let url: URL | undefined;
    try {
      url = new URL(String(b.url));
    } catch {
      errors.push('Webhook URL is invalid.');
    }
    if (url && url.protocol !== 'http:' && url.protocol !== 'https:') errors.push('Webhook URL must use http or https.');
    if (!Array.isArray(b.events) || b.events.some((e) => typeof e !== 'string')) errors.push('Webhook events must be a list of event names.');
    if (errors.length) {
      jiraError(reply, 400, errors);
      return undefined;
    }
    // 10.x ignores the 9.x `filters` object (JRASERVER-78733); its filter lives in `configuration.FILTERS`.
    const jql =
      api === 'v1'
        ? (b.filters as Record<string, string> | undefined)?.['issue-related-events-section'] || null
        : (b.configuration as Record<string, string> | undefined)?.FILTERS || null;
    const excludeBody = api === 'v1' ? b.excludeBody === true : (b.configuration as Record<string, string> | undefined)?.EXCLUDE_BODY === 'true';
    const enabled = api === 'v1' ? b.enabled !== false : b.active !== false;
    return { name: String(b.name), url: String(b.url), events: b.events as string[], jql, excludeBody, enabled };
  };

  const create = (api: 'v1' | 'v10') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!guard(api, request, reply)) return reply;
    const input = parse(api, objectBody(request), reply);
    if (!input) return reply;
    const now = em.clock.now();
    const h: WebhookRegistration = {
      ...input,
      id: em.state.next('webhook'),
      createdDate: now,
      updatedDate: now,
      lastUpdatedUserKey: caller(request).key,
      api,
      stats: { successes: 0, failures: 0, errors: 0, lastError: null },
    };
    em.state.webhooks.set(h.id, h);
    return reply.code(201).send(api === 'v1' ? v1Json(h) : v10Json(h));
  };
  const list = (api: 'v1' | 'v10') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!guard(api, request, reply)) return reply;
    const all = [...em.state.webhooks.values()];
    return api === 'v1' ? all.map(v1Json) : all.map(v10Json);
  };
  const one = (api: 'v1' | 'v10') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!guard(api, request, reply)) return reply;
    const h = em.state.webhooks.get(Number((request.params as { id: string }).id));
    if (!h) return jiraError(reply, 404, ['Webhook not found.']);
    return api === 'v1' ? v1Json(h) : v10Json(h);
  };
  const update = (api: 'v1' | 'v10') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!guard(api, request, reply)) return reply;
    const h = em.state.webhooks.get(Number((request.params as { id: string }).id));
    if (!h) return jiraError(reply, 404, ['Webhook not found.']);
    const input = parse(api, objectBody(request), reply);
    if (!input) return reply;
    Object.assign(h, input, { updatedDate: em.clock.now(), lastUpdatedUserKey: caller(request).key });
    return api === 'v1' ? v1Json(h) : v10Json(h);
  };
  const remove = (api: 'v1' | 'v10') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!guard(api, request, reply)) return reply;
    const id = Number((request.params as { id: string }).id);
    if (!em.state.webhooks.delete(id)) return jiraError(reply, 404, ['Webhook not found.']);
    return reply.code(204).send();
  };

  app.get('/rest/webhooks/1.0/webhook', list('v1'));
  app.post('/rest/webhooks/1.0/webhook', create('v1'));
  app.get('/rest/webhooks/1.0/webhook/:id', one('v1'));
  app.put('/rest/webhooks/1.0/webhook/:id', update('v1'));
  app.delete('/rest/webhooks/1.0/webhook/:id', remove('v1'));

  app.get('/rest/jira-webhook/1.0/webhooks', list('v10'));
  app.post('/rest/jira-webhook/1.0/webhooks', create('v10'));
  app.get('/rest/jira-webhook/1.0/webhooks/:id', one('v10'));
  app.put('/rest/jira-webhook/1.0/webhooks/:id', update('v10'));
  app.delete('/rest/jira-webhook/1.0/webhooks/:id', remove('v10'));
  app.get('/rest/jira-webhook/1.0/webhooks/:id/latest', async (request, reply) => {
    if (!guard('v10', request, reply)) return reply;
    const id = Number((request.params as { id: string }).id);
    const last = [...em.state.deliveries].reverse().find((d) => d.webhookId === id);
    if (!last) return reply.code(204).send();
    return { id: last.id, event: last.event, status: last.status, error: last.error, timestamp: last.at };
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../../platform/errors.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { InstanceRepository } from '../../instances/instance-repository.ts';
import type { EventRepository, EventSourceRow } from '../event-repository.ts';
import type { EventService } from '../event-service.ts';
import { typed } from '../../platform/http/api-document.ts';
import { AnyJson, EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { WebhookParams } from '../schemas.ts';

/**
 * Jira's webhook payload carries the whole issue, all its comments included. Refusing one loses
 * the event (Jira 9 does not retry), so the intake takes far more than other routes.
 */
const WEBHOOK_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * `POST /events/{elementKey}/{base64(instanceId)}/{secret}`: vendor webhooks in. The secret in
 * the URL is the only credential (Jira Server cannot sign or add headers); a wrong one is refused
 * and logged before the body is read. A known instance whose events are off, or that is disabled,
 * still gets 200, so a misconfigured Jira is not flooded with errors. Events are recorded before
 * the answer, and delivered asynchronously.
 */
export function registerWebhookIntake(app: FastifyInstance, deps: { events: EventRepository; instances: InstanceRepository; registry: ElementRegistry; service: EventService; logger: Logger }): void {
  const sources = new WeakMap<FastifyRequest, EventSourceRow>();
  const checkSecret = async (request: FastifyRequest) => {
    const { elementKey, instance: encoded, secret } = request.params as { elementKey: string; instance: string; secret: string };
    const instanceId = Number(Buffer.from(encoded, 'base64').toString('utf8'));
    const source = await deps.events.sourceByWebhookSecret(secret);
    if (!source || source.instance_id !== instanceId) {
      deps.logger.warn({ elementKey, instanceId: Number.isFinite(instanceId) ? instanceId : null, ip: request.ip }, 'vendor webhook refused: unknown instance or wrong secret');
      throw new ApiError('UNAUTHORIZED', 'Unknown webhook address');
    }
    sources.set(request, source);
  };

  typed(app).post('/events/:elementKey/:instance/:secret', {
    config: { auth: 'none', secretInPath: true }, bodyLimit: WEBHOOK_BODY_LIMIT, onRequest: checkSecret,
    schema: {
      summary: 'Vendor webhooks in: the address /instances/{id}/events/status shows (its secret is the credential)', tags: ['events'],
      params: WebhookParams, querystring: NoQuery, body: AnyJson, response: { 200: EmptyObject, ...errorResponses },
    },
  }, async (request) => {
    const { elementKey } = request.params;
    const source = sources.get(request)!;
    const instanceId = source.instance_id;
    const instance = await deps.instances.find(instanceId);
    const element = instance ? deps.registry.module(instance.elementKey) : undefined;
    if (!instance || !element?.events || instance.elementKey !== elementKey || instance.disabled || source.kind !== 'webhook') {
      deps.logger.info({ instanceId }, 'vendor webhook ignored: instance disabled or not receiving webhooks');
      return {};
    }
    const events = element.events.fromWebhook(deps.service.context(instance), request.body);
    if (events === undefined) {
      deps.logger.warn({ instanceId }, 'vendor webhook ignored: the payload does not come from the instance\'s Jira');
      return {};
    }
    if (events.length) await deps.service.record(instance, 'webhook', events, () => request.body);
    return {};
  });
}

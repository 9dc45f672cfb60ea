import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import { ApiError } from '../../platform/errors.ts';
import type { ElementRegistry } from '../../elements/registry.ts';
import type { InstanceRepository } from '../../instances/instance-repository.ts';
import type { EventRepository, EventSourceRow } from '../event-repository.ts';
import type { EventService } from '../event-service.ts';
import { typed } from '../../platform/http/api-document.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import { WebhookParams } from '../schemas.ts';
import type { TransformationService } from '../../transformations/transformation-service.ts';
import { objectsByName, shapeEventObjects } from '../event-shaping.ts';

/**
 * `POST /events/<element key>/{base64(instanceId)}/{secret}`: vendor webhooks in, one route per
 * element that takes them, with the body limit the element declares. The element authenticates
 * its vendor by a secret in the URL (`url-secret`): a wrong one is refused and logged before the
 * body is read. The element then gets the delivery's raw bytes and headers, and its events' objects
 * are reshaped by the instance's transformations. A known instance whose
 * events are off, or that is disabled, still gets 200, so a misconfigured vendor is not flooded
 * with errors. Events are recorded before the answer, and delivered asynchronously.
 */
export function registerWebhookIntake(
  app: FastifyInstance,
  deps: {
    events: EventRepository;
    instances: InstanceRepository;
    registry: ElementRegistry;
    service: EventService;
    transformations: TransformationService;
    logger: Logger;
  },
): void {
  const sources = new WeakMap<FastifyRequest, EventSourceRow>();
  const checkSecret = (elementKey: string) => async (request: FastifyRequest) => {
    const { instance: encoded, secret } = request.params as { instance: string; secret: string };
    const instanceId = Number(Buffer.from(encoded, 'base64').toString('utf8'));
    const source = await deps.events.sourceByWebhookSecret(secret);
    if (!source || source.instance_id !== instanceId) {
      deps.logger.warn(
        { elementKey, instanceId: Number.isFinite(instanceId) ? instanceId : null, ip: request.ip },
        'vendor webhook refused: unknown instance or wrong secret',
      );
      throw new ApiError('UNAUTHORIZED', 'Unknown webhook address');
    }
    sources.set(request, source);
  };

  for (const definition of deps.registry.all()) {
    const intake = deps.registry.module(definition.key)!.events?.webhook;
    if (!intake) continue;
    app.register(
      async (scope) => {
        // The element parses its vendor's bytes itself (and may verify a signature over them).
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: intake.bodyLimit }, (_request, body, done) => done(null, body));
        typed(scope).post(
          `/events/${definition.key}/:instance/:secret`,
          {
            config: { auth: 'none', secretInPath: true },
            bodyLimit: intake.bodyLimit,
            onRequest: checkSecret(definition.key),
            schema: {
              summary: `${definition.name} webhooks in: the address /instances/{id}/events/status shows (its secret is the credential)`,
              tags: ['events'],
              params: WebhookParams,
              querystring: NoQuery,
              body: Type.Unknown({ description: `What ${definition.name} sends, up to ${intake.bodyLimit} bytes` }),
              response: { 200: EmptyObject, ...errorResponses },
            },
          },
          async (request) => {
            const source = sources.get(request)!;
            const instance = await deps.instances.find(source.instance_id);
            if (!instance || instance.elementKey !== definition.key || instance.disabled || source.kind !== 'webhook') {
              deps.logger.info({ instanceId: source.instance_id }, 'vendor webhook ignored: instance disabled or not receiving webhooks');
              return {};
            }
            const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
            const received = intake.receive(deps.service.context(instance), { body, headers: request.headers });
            if (received === undefined) {
              deps.logger.warn({ instanceId: instance.id }, "vendor webhook ignored: the delivery does not come from the instance's vendor");
              return {};
            }
            if (!received.events.length) return {};
            // With a transformation for their objects, notifications carry the instance's shape,
            // as polled ones do; without one, the vendor's body as received.
            const shaped = await shapeEventObjects(deps.transformations, instance, received.events);
            const objects = new Set(received.events.map((e) => e.objectType));
            await deps.service.record(instance, 'webhook', received.events, shaped ? objectsByName(objects) : () => received.payload);
            return {};
          },
        );
      },
      { prefix: '' },
    );
  }
}

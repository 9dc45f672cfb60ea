import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { identityOf } from '../../auth/authenticate.ts';
import { typed } from '../../platform/http/api-document.ts';
import { keysetPage, setKeysetHeaders } from '../../platform/http/keyset-cursor.ts';
import { EmptyObject, errorResponses, NoQuery } from '../../platform/http/schemas.ts';
import type { DeliveryRow, SubscriptionRow } from '../notification-repository.ts';
import { notificationJson, notificationScope, type NotificationService } from '../notification-service.ts';
import {
  DeliveryJson,
  DeliveryQuery,
  IdParams,
  NewNotificationBody,
  NewSubscriptionBody,
  NOTIFICATION_ID,
  NotificationJson,
  NotificationListQuery,
  PageQuery,
  RedeliveredJson,
  SubscriptionJson,
} from '../schemas.ts';

function subscriptionJson(s: SubscriptionRow): SubscriptionJson {
  return {
    id: s.id,
    channel: 'webhook',
    topics: JSON.parse(s.topics) as string[],
    config: { url: s.url },
    active: s.active === 1,
    accountId: s.account_id,
    createdDate: s.created_at,
  };
}

function deliveryJson(d: DeliveryRow): DeliveryJson {
  return {
    id: d.id,
    notificationId: d.notification_id,
    subscriptionId: d.subscription_id,
    channel: 'webhook',
    topic: d.topic,
    config: { url: d.url },
    status: d.status as DeliveryJson['status'],
    attempts: d.attempts,
    lastStatus: d.last_status,
    lastError: d.last_error,
    nextAttemptDate: d.status === 'pending' ? d.next_attempt_at : null,
    createdDate: d.created_at,
    deliveredDate: d.delivered_at,
  };
}

const isId = (id: string) => NOTIFICATION_ID.test(id);
const page = { max: 200, isId };

/**
 * `/notifications` (open-connectors-api.md §6.11): messages posted on a topic, the webhook
 * subscriptions that receive them, and their deliveries. A user outside the organization's
 * default account sees their own account's; a subscription made in the default account hears
 * every account's notifications on its topics.
 */
export function registerNotificationRoutes(app: FastifyInstance, notifications: NotificationService): void {
  const api = typed(app);
  const tags = ['notifications'];
  const listOf = (what: string, identity: ReturnType<typeof identityOf>) => `${what}:${notificationScope(identity).accountId ?? 'all'}`;

  api.post(
    '/notifications',
    {
      schema: {
        tags,
        summary: 'Posts a notification on a topic: each webhook subscription to the topic receives it as a POST of this JSON',
        querystring: NoQuery,
        body: NewNotificationBody,
        response: { 200: NotificationJson, ...errorResponses },
      },
    },
    async (request) => notificationJson(await notifications.post(identityOf(request), request.body)),
  );
  api.get(
    '/notifications',
    {
      schema: {
        tags,
        summary: 'The notifications, newest first, paged with nextPage',
        querystring: NotificationListQuery,
        response: { 200: Type.Array(NotificationJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const list = listOf('notifications', identity);
      const { cursor, size } = keysetPage(request.query, list, page);
      const { acknowledged } = request.query;
      const rows = await notifications.list(
        identity,
        { topics: request.query['topics[]'], acknowledged: acknowledged === undefined ? undefined : acknowledged === 'true' },
        size,
        cursor,
      );
      setKeysetHeaders(reply, rows, size, list, (n) => ({ createdAt: n.created_at, id: n.id }));
      return rows.map(notificationJson);
    },
  );

  // Static paths before `/notifications/:id`, which would otherwise read them as ids.
  api.post(
    '/notifications/subscriptions',
    {
      schema: {
        tags,
        summary:
          "Subscribes a URL to topics: each notification on one of them is POSTed there, retried as events are (the account's notification.webhook.failure.policy applies)",
        querystring: NoQuery,
        body: NewSubscriptionBody,
        response: { 200: SubscriptionJson, ...errorResponses },
      },
    },
    async (request) => subscriptionJson(await notifications.subscribe(identityOf(request), request.body)),
  );
  api.get(
    '/notifications/subscriptions',
    {
      schema: {
        tags,
        summary: 'The subscriptions, newest first, paged with nextPage',
        querystring: PageQuery,
        response: { 200: Type.Array(SubscriptionJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const list = listOf('subscriptions', identity);
      const { cursor, size } = keysetPage(request.query, list, page);
      const rows = await notifications.subscriptions(identity, size, cursor);
      setKeysetHeaders(reply, rows, size, list, (s) => ({ createdAt: s.created_at, id: s.id }));
      return rows.map(subscriptionJson);
    },
  );
  api.get(
    '/notifications/subscriptions/deliveries',
    {
      schema: {
        tags,
        summary: "The deliveries of the subscriptions' notifications, newest first, filtered by where and paged with nextPage",
        querystring: DeliveryQuery,
        response: { 200: Type.Array(DeliveryJson), ...errorResponses },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const list = listOf('deliveries', identity);
      const { cursor, size } = keysetPage(request.query, list, page);
      const rows = await notifications.deliveries(identity, request.query.where, size, cursor);
      setKeysetHeaders(reply, rows, size, list, (d) => ({ createdAt: d.created_at, id: d.id }));
      return rows.map(deliveryJson);
    },
  );
  api.put(
    '/notifications/subscriptions/deliveries',
    {
      schema: {
        tags,
        summary: 'Sends again the queued and failed deliveries that match where (all of them without it), and makes their subscriptions active again',
        querystring: Type.Object({ where: DeliveryQuery.properties.where }),
        response: { 200: RedeliveredJson, ...errorResponses },
      },
    },
    async (request) => ({ redelivered: await notifications.redeliver(identityOf(request), request.query.where) }),
  );
  api.get(
    '/notifications/subscriptions/:id',
    { schema: { tags, summary: 'One subscription', params: IdParams, querystring: NoQuery, response: { 200: SubscriptionJson, ...errorResponses } } },
    async (request) => subscriptionJson(await notifications.subscription(identityOf(request), request.params.id)),
  );
  api.delete(
    '/notifications/subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Deletes a subscription and its deliveries',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: EmptyObject, ...errorResponses },
      },
    },
    async (request) => {
      await notifications.unsubscribe(identityOf(request), request.params.id);
      return {};
    },
  );

  api.get(
    '/notifications/:id',
    { schema: { tags, summary: 'One notification', params: IdParams, querystring: NoQuery, response: { 200: NotificationJson, ...errorResponses } } },
    async (request) => notificationJson(await notifications.notification(identityOf(request), request.params.id)),
  );
  api.put(
    '/notifications/:id/acknowledge',
    {
      schema: {
        tags,
        summary: 'Marks a notification as acknowledged',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: NotificationJson, ...errorResponses },
      },
    },
    async (request) => notificationJson(await notifications.acknowledge(identityOf(request), request.params.id)),
  );
  api.delete(
    '/notifications/:id',
    {
      schema: {
        tags,
        summary: 'Deletes a notification and its deliveries',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: EmptyObject, ...errorResponses },
      },
    },
    async (request) => {
      await notifications.deleteNotification(identityOf(request), request.params.id);
      return {};
    },
  );
}

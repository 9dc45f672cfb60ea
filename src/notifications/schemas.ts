import { type Static, Type } from 'typebox';
import { NextPage, PageSize } from '../platform/http/schemas.ts';

/** Ids of notifications, subscriptions and deliveries: 24 hexadecimal digits. */
export const NOTIFICATION_ID = /^[0-9a-f]{24}$/;
const Id = (description: string) => Type.String({ pattern: NOTIFICATION_ID.source, description });
export const IdParams = Type.Object({ id: Id('The id its POST answered') });

const Severity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
const Topic = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^,]+$', description: 'A name of your choosing, e.g. sync.failed' });

export const NewNotificationBody = Type.Object(
  {
    topic: Topic,
    severity: Type.Optional(Severity),
    message: Type.String({ minLength: 1, maxLength: 10_000 }),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Who or what sends it' })),
  },
  { additionalProperties: false, title: 'NewNotification' },
);
export type NewNotificationBody = Static<typeof NewNotificationBody>;

export const NotificationJson = Type.Object(
  {
    id: Type.String(),
    topic: Type.String(),
    severity: Severity,
    message: Type.String(),
    from: Type.Optional(Type.String()),
    acknowledged: Type.Boolean(),
    accountId: Type.Integer(),
    userId: Type.Integer({ description: 'Who posted it' }),
    createdDate: Type.String(),
  },
  { title: 'Notification', description: 'A message posted on a topic; each subscription to the topic receives it as a POST' },
);
export type NotificationJson = Static<typeof NotificationJson>;

export const NotificationListQuery = Type.Object({
  'topics[]': Type.Optional(Type.Array(Topic, { maxItems: 50, description: 'Only notifications on these topics' })),
  acknowledged: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'Only acknowledged (true) or unacknowledged (false) notifications' }),
  ),
  pageSize: Type.Optional(PageSize('50 by default, at most 200')),
  nextPage: Type.Optional(NextPage),
});

/** Open Connectors also names email, sms and push; only webhooks are delivered here, so only they are taken. */
const Channel = Type.Literal('webhook');

export const NewSubscriptionBody = Type.Object(
  {
    channel: Channel,
    topics: Type.Array(Topic, { minItems: 1, maxItems: 50, uniqueItems: true }),
    config: Type.Object(
      {
        url: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
          description: 'The http(s) URL each notification is POSTed to; user:password@ in it is sent as Basic authentication',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'NewSubscription' },
);
export type NewSubscriptionBody = Static<typeof NewSubscriptionBody>;

export const SubscriptionJson = Type.Object(
  {
    id: Type.String(),
    channel: Type.Literal('webhook'),
    topics: Type.Array(Type.String()),
    config: Type.Object({ url: Type.String({ description: 'Credentials in it show ********' }) }),
    active: Type.Boolean({
      description: 'false once a delivery failed 9 times: its later notifications wait as queued until PUT /notifications/subscriptions/deliveries',
    }),
    accountId: Type.Integer(),
    createdDate: Type.String(),
  },
  { title: 'NotificationSubscription' },
);
export type SubscriptionJson = Static<typeof SubscriptionJson>;

export const PageQuery = Type.Object({
  pageSize: Type.Optional(PageSize('50 by default, at most 200')),
  nextPage: Type.Optional(NextPage),
});

export const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('delivered'),
  Type.Literal('queued'),
  Type.Literal('failed'),
]);

export const DeliveryJson = Type.Object(
  {
    id: Type.String({ description: 'Also sent as Elements-Webhook-Id' }),
    notificationId: Type.String(),
    subscriptionId: Type.String(),
    channel: Type.Literal('webhook'),
    topic: Type.String(),
    config: Type.Object({ url: Type.String() }),
    status: DeliveryStatus,
    attempts: Type.Integer(),
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status at the last attempt" }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    nextAttemptDate: Type.Union([Type.String(), Type.Null()], { description: 'While it is pending' }),
    createdDate: Type.String(),
    deliveredDate: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'NotificationDelivery' },
);
export type DeliveryJson = Static<typeof DeliveryJson>;

export const DeliveryQuery = Type.Object({
  where: Type.Optional(
    Type.String({
      maxLength: 2000,
      description: "CEQL over channel, status, topic, config.url, subscriptionId and notificationId, e.g. channel='webhook' and status='queued'",
    }),
  ),
  pageSize: Type.Optional(PageSize('50 by default, at most 200')),
  nextPage: Type.Optional(NextPage),
});

export const RedeliveredJson = Type.Object(
  { redelivered: Type.Integer({ description: 'How many queued or failed deliveries are sent again' }) },
  { title: 'Redelivered' },
);

import { Type, type Static } from 'typebox';
import { NextPage, NumericId, PageNumber, PageSize } from '../platform/http/schemas.ts';

/** The event log and event status (open-connectors-api.md §6), shared by the routes and the console. */

export const DeliveryJson = Type.Object(
  {
    id: Type.String(),
    status: Type.Union(
      ['held', 'pending', 'sending', 'delivered', 'queued', 'failed'].map((s) => Type.Literal(s)),
      {
        description: 'held: an asynchronous hub call still runs; its answer is sent when it is in',
      },
    ),
    url: Type.String(),
    attempts: Type.Integer(),
    lastStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    nextAttemptDate: Type.Union([Type.String(), Type.Null()]),
    deliveredDate: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'Delivery' },
);

/** One change a notification reports (open-connectors-api.md §6.5). */
export const EventItemJson = Type.Object(
  { eventType: Type.String(), objectType: Type.String(), objectId: Type.String(), elementKey: Type.String(), date: Type.String() },
  { title: 'EventItem' },
);

export const EventJson = Type.Object(
  {
    id: Type.String(),
    eventDate: Type.String(),
    status: Type.String({ description: 'DISPATCHED, NOTIFIED or FAILED (NEW without a callback)' }),
    providerData: Type.String({ description: 'The vendor objects of the notification, as JSON text' }),
    notifiedData: Type.Array(Type.Unknown()),
    instanceId: Type.Integer(),
    elementKey: Type.String(),
    source: Type.String(),
    events: Type.Array(EventItemJson),
    deliveries: Type.Array(DeliveryJson),
  },
  { title: 'Event' },
);
export type EventJson = Static<typeof EventJson>;

export const EventStatusJson = Type.Object(
  {
    enabled: Type.Boolean(),
    type: Type.Optional(Type.String()),
    intervalMinutes: Type.Optional(Type.Integer()),
    nextPollDate: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    lastPollDate: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    lastError: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    lastErrorDate: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    webhookRegistration: Type.Optional(Type.String({ description: 'auto, manual (register webhookUrl in the vendor by hand) or none' })),
    webhookUrl: Type.Optional(Type.String()),
  },
  { title: 'EventStatus' },
);
export type EventStatusJson = Static<typeof EventStatusJson>;

export const EventPageQuery = Type.Object({
  page: Type.Optional(PageNumber),
  pageSize: Type.Optional(PageSize('50 by default, at most 500')),
  nextPage: Type.Optional(NextPage),
});
export type EventPageQuery = Static<typeof EventPageQuery>;

const EventId = Type.String({ minLength: 1, maxLength: 100 });
export const EventParams = Type.Object({ eventId: EventId });
export const InstanceEventParams = Type.Object({ id: NumericId, eventId: EventId });
export const InstanceParams = Type.Object({ id: NumericId });

export const WebhookParams = Type.Object({
  instance: Type.String({ maxLength: 100, description: 'The instance id, base64' }),
  secret: Type.String({ maxLength: 200 }),
});

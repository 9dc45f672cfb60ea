import type { HubContext } from './hub-contract.ts';

/** A change the vendor reported, normalized (open-connectors-api.md §6.5). */
export interface VendorEvent {
  eventType: 'CREATED' | 'UPDATED' | 'DELETED' | 'UNKNOWN';
  objectType: string;
  objectId: string;
  /** ISO-8601 of the change. */
  date: string;
  /** Identifies this change of this object, so a change seen twice is notified once. */
  version: string;
  /** The changed object as the vendor sent it (the notification's `raw`). */
  object?: unknown;
}

export interface PollResult {
  events: VendorEvent[];
  /** Where the next poll starts; stored only after the events are safely recorded. */
  cursor: unknown;
}

/** One delivery of a vendor webhook, as it arrived. */
export interface WebhookDelivery {
  /** The body's bytes, unparsed: a vendor that signs deliveries is verified over exactly these. */
  body: Buffer;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** How an element takes its vendor's webhooks; the platform routes and authenticates them by this. */
export interface WebhookIntake {
  /** Largest delivery the vendor sends, in bytes: refusing one loses its events. */
  bodyLimit: number;
  /**
   * How a delivery proves it comes from the instance's vendor: `url-secret`, a secret in the
   * intake URL, checked before the body is read (for vendors that cannot sign or add headers).
   */
  authentication: 'url-secret';
  /**
   * A delivery as events, with the payload the notification carries as `raw`; `undefined` when the
   * delivery does not belong to this instance (it is acknowledged and ignored).
   */
  receive(context: HubContext, delivery: WebhookDelivery): { events: VendorEvent[]; payload: unknown } | undefined;
}

/** What an element does for events: polling, vendor webhooks and their registration. */
export interface ElementEvents {
  /** Objects polled when the configuration names none. */
  defaultObjects: string[];
  poll(context: HubContext, objects: string[], cursor: unknown): Promise<PollResult>;
  /** Present when the vendor can call switchboard with its changes. */
  webhook?: WebhookIntake;
  /**
   * Registers the intake URL in the vendor; `undefined` when the vendor user may not (register by
   * hand). Present with `webhook`.
   */
  register?(context: HubContext, url: string): Promise<string | undefined>;
  /**
   * Removes the webhook from the vendor. A webhook already gone is no error: a removal that did
   * not answer in time is made again by the worker while the first may still be under way.
   */
  unregister?(context: HubContext, vendorWebhookId: string): Promise<void>;
}

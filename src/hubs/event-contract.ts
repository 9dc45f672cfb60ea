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

/** What an element does for events: polling, vendor webhooks and their registration. */
export interface ElementEvents {
  /** Objects polled when the configuration names none. */
  defaultObjects: string[];
  poll(context: HubContext, objects: string[], cursor: unknown): Promise<PollResult>;
  /** Maps a vendor webhook body to events; `undefined` when the body does not belong to this instance. */
  fromWebhook(context: HubContext, body: unknown): VendorEvent[] | undefined;
  /** Registers the intake URL in the vendor; `undefined` when the vendor user may not (register by hand). */
  register(context: HubContext, url: string): Promise<string | undefined>;
  unregister(context: HubContext, vendorWebhookId: string): Promise<void>;
}

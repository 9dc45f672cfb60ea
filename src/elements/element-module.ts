import type { Logger } from 'pino';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import type { ElementDefinition, ElementDescription } from './element-definition.ts';
import type { HubImplementation } from '../hubs/hub-contract.ts';
import type { ElementEvents } from '../hubs/event-contract.ts';

/** Configuration as clients send it: values are strings, booleans, numbers or (poller config) objects. */
export type Configuration = Record<string, unknown>;

export interface ElementContext {
  http: OutboundHttp;
  logger: Logger;
  /** Limit for one vendor call. */
  timeoutMs: number;
}

/** What provisioning learned from the vendor; stored with the instance (never secrets). */
export type VendorMeta = Record<string, unknown>;

/**
 * An element: its catalog definition plus the behaviour the platform calls. Everything an
 * element needs arrives through arguments; it never reaches into the store or the job queue.
 */
export interface ElementModule {
  definition: ElementDescription;
  /** Validates and normalises configuration (400 naming every problem). */
  validateConfiguration(configuration: Configuration): Configuration;
  /** Whether a change from `before` to `after` needs the vendor to check credentials again. */
  needsReprovision(before: Configuration, after: Configuration): boolean;
  /** Checks the credentials against the vendor, once, without retries. Throws a 4xx ApiError on failure. */
  provision(configuration: Configuration, context: ElementContext): Promise<VendorMeta>;
  /** The hub resources the element serves. */
  hub?: HubImplementation;
  /** Polling and vendor webhooks. */
  events?: ElementEvents;
}

/** `needsReprovision` of an element whose vendor checks exactly these keys: a change of any of them. */
export const changesAnyOf =
  (keys: readonly string[]) =>
  (before: Configuration, after: Configuration): boolean =>
    keys.some((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));

/** An element as the registry holds it: its definition completed with what the platform derives and adds. */
export type InstalledElement = Omit<ElementModule, 'definition'> & { definition: ElementDefinition };

import { isTrue } from '../platform/boolean-text.ts';
import { checkCallbackUrl } from '../platform/callback-url.ts';
import { ApiError, badRequest } from '../platform/errors.ts';
import type { OutboundPolicy } from '../platform/outbound-policy.ts';
import type { ConfigurationDefinition, ElementDefinition } from './element-definition.ts';
import type { Configuration } from './element-module.ts';

/**
 * Configuration keys the platform owns and reads (events, null filtering): declared, validated
 * and documented here once, and added by the registry to every element that can use them, so an
 * element declares only its vendor's keys.
 */
export function platformConfiguration(element: Pick<ElementDefinition, 'events'>, hasHub: boolean): ConfigurationDefinition[] {
  const keys: ConfigurationDefinition[] = [];
  if (element.events.supported) {
    const webhooks = element.events.methods.includes('webhook');
    keys.push(
      {
        key: 'event.notification.enabled',
        name: 'Events Enabled',
        description: 'Send events to the callback URL',
        type: 'BOOLEAN',
        required: false,
        defaultValue: 'false',
      },
      {
        key: 'event.vendor.type',
        name: 'Event Type',
        description: webhooks ? 'polling, or webhook (the vendor calls switchboard; registering it may need admin rights in the vendor)' : 'polling',
        type: 'TEXTFIELD_32',
        required: false,
        defaultValue: 'polling',
      },
      {
        key: 'event.notification.callback.url',
        name: 'Event Notification Callback URL',
        description: 'Where switchboard POSTs event notifications',
        type: 'TEXTFIELD_1000',
        required: false,
      },
      {
        key: 'event.notification.signature.key',
        name: 'Callback Notification Signature Key',
        description: 'HMAC-SHA256 key used to sign notifications',
        type: 'PASSWORD',
        required: false,
      },
      {
        key: 'event.poller.refresh_interval',
        name: 'Event Poller Refresh Interval (mins)',
        description: 'Minutes between polls',
        type: 'TEXTFIELD_32',
        required: false,
        defaultValue: '15',
      },
      {
        key: 'event.poller.configuration',
        name: 'Event Poller Resources Configuration',
        description: 'JSON poller configuration per resource',
        type: 'TEXTAREA',
        required: false,
        defaultValue: JSON.stringify(element.events.pollerConfiguration ?? {}),
        hideFromConsole: true,
      },
      {
        key: 'event.poller.urls',
        name: 'Event Poller URLs',
        description: 'Legacy poll URLs separated by |',
        type: 'TEXTAREA',
        required: false,
        defaultValue: '',
        hideFromConsole: true,
      },
      {
        key: 'event.metadata',
        name: 'Event Metadata',
        description: 'Which objects support polling and webhooks',
        type: 'TEXTAREA',
        required: false,
        defaultValue: JSON.stringify(element.events.metadata ?? {}),
        hideFromConsole: true,
        internal: true,
      },
    );
  }
  if (hasHub) {
    keys.push({
      key: 'filter.response.nulls',
      name: 'Filter null values from the response',
      description: 'Remove null fields from hub responses',
      type: 'BOOLEAN',
      required: false,
      defaultValue: 'true',
    });
  }
  return keys;
}

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/** Whether the instance sends events (`event.notification.enabled`, off unless set). */
export const eventsEnabled = (config: Configuration): boolean => isTrue(config['event.notification.enabled']);

/** Whether hub answers leave out null members (`filter.response.nulls`, on unless set). */
export const stripsNulls = (config: Configuration): boolean => config['filter.response.nulls'] === undefined || isTrue(config['filter.response.nulls']);

/**
 * Checks the platform's keys of a configuration, so a bad callback URL fails the create instead
 * of every later delivery. Each problem is a 400 naming the key.
 */
export function validatePlatformConfiguration(config: Configuration, element: Pick<ElementDefinition, 'events'>, policy: OutboundPolicy): void {
  const vendorType = config['event.vendor.type'];
  const types = ['polling', ...(element.events.methods.includes('webhook') ? ['webhook', 'webhooks'] : [])];
  if (present(vendorType) && !types.includes(String(vendorType))) {
    throw badRequest(`event.vendor.type must be ${types.includes('webhook') ? 'polling or webhook' : 'polling'}, not "${String(vendorType).slice(0, 50)}"`);
  }
  const interval = config['event.poller.refresh_interval'];
  if (present(interval) && !/^\d{1,9}$/.test(String(interval).trim())) throw badRequest('event.poller.refresh_interval must be a whole number of minutes');
  if (present(interval) && Number(interval) < 1) throw badRequest('event.poller.refresh_interval must be at least 1 minute');
  const poller = config['event.poller.configuration'];
  if (present(poller) && typeof poller === 'string') {
    try {
      const parsed = JSON.parse(poller) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      throw badRequest('event.poller.configuration must be a JSON object keyed by resource, e.g. {"incidents": {...}}');
    }
  } else if (present(poller) && (typeof poller !== 'object' || Array.isArray(poller))) {
    throw badRequest('event.poller.configuration must be a JSON object keyed by resource');
  }
  if (eventsEnabled(config)) {
    if (!element.events.supported) throw new ApiError('BAD_REQUEST', 'This element produces no events');
    const callback = config['event.notification.callback.url'];
    if (!present(callback)) throw badRequest('event.notification.callback.url is required when event.notification.enabled is true');
    checkCallbackUrl(String(callback), 'event.notification.callback.url', policy);
  }
}

import type { Configuration } from '../elements/element-module.ts';
import { eventsEnabled } from '../elements/platform-configuration.ts';

/** An instance's event configuration (open-connectors-api.md §6.2), read once per use. */
export interface EventSettings {
  enabled: boolean;
  kind: 'polling' | 'webhook';
  intervalMinutes: number;
  callbackUrl: string | undefined;
  signatureKey: string | undefined;
  /** Objects to poll, from `event.poller.configuration` (keys) or the element's default. */
  objects: string[];
}

export function eventSettings(config: Configuration, defaultObjects: string[]): EventSettings {
  const vendorType = String(config['event.vendor.type'] ?? 'polling');
  let objects = defaultObjects;
  const poller = config['event.poller.configuration'];
  if (poller !== undefined && poller !== null && poller !== '') {
    const parsed = typeof poller === 'string' ? (JSON.parse(poller) as Record<string, unknown>) : (poller as Record<string, unknown>);
    if (Object.keys(parsed).length) objects = Object.keys(parsed);
  }
  const interval = Number(config['event.poller.refresh_interval'] ?? 15);
  const key = config['event.notification.signature.key'];
  const callback = config['event.notification.callback.url'];
  return {
    enabled: eventsEnabled(config),
    kind: vendorType === 'webhook' || vendorType === 'webhooks' ? 'webhook' : 'polling',
    intervalMinutes: Number.isFinite(interval) && interval >= 1 ? Math.floor(interval) : 15,
    callbackUrl: typeof callback === 'string' && callback !== '' ? callback : undefined,
    signatureKey: typeof key === 'string' && key !== '' ? key : undefined,
    objects,
  };
}

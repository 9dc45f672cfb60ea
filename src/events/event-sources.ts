import type { Clock } from '../platform/clock.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { Instance } from '../instances/instance-repository.ts';
import type { EventRepository, EventSourceRow } from './event-repository.ts';
import type { EventService } from './event-service.ts';
import { eventSettings } from './event-settings.ts';
import type { WebhookRemovals } from './webhook-removals.ts';

/** The public intake URL of an instance's vendor webhooks (D24: a secret in the URL, for vendors that cannot sign). */
export function intakeUrl(publicUrl: string, elementKey: string, instanceId: number, secret: string): string {
  return `${publicUrl}/elements/api-v2/events/${elementKey}/${Buffer.from(String(instanceId)).toString('base64')}/${secret}`;
}

/**
 * A vendor need not retry a webhook it could not deliver (some never do), so changes made while
 * switchboard was down or unreachable would be lost. Webhook instances therefore also poll, at
 * start and then this often, for changes since their last poll; the dedupe ledger drops what
 * the webhooks delivered already (docs/events.md).
 */
export const WEBHOOK_CATCH_UP_MINUTES = 60;

/**
 * Keeps `event_sources` in step with instance configuration: polling schedules, webhook secrets,
 * and the registration of the intake URL in the vendor (removed again when events are turned
 * off or the instance is deleted).
 */
export class EventSources {
  constructor(
    private readonly repo: EventRepository,
    private readonly registry: ElementRegistry,
    private readonly service: EventService,
    private readonly removals: WebhookRemovals,
    private readonly clock: Clock,
    private readonly publicUrl: () => string,
  ) {}

  secretOf(row: EventSourceRow): string | undefined {
    return this.repo.webhookSecret(row);
  }

  async sync(instance: Instance): Promise<void> {
    const element = this.registry.module(instance.elementKey)!;
    const existing = await this.repo.source(instance.id);
    if (!element.events) return;
    const settings = eventSettings(instance.configuration, element.events.defaultObjects);
    if (!settings.enabled) {
      if (existing) await this.remove(instance);
      return;
    }
    const now = this.clock.now().toISOString();
    /** The vendor's id of a webhook registered by this call. */
    let registered: string | undefined;
    const row: EventSourceRow = existing ?? {
      instance_id: instance.id,
      organization_id: instance.organizationId,
      kind: settings.kind,
      interval_minutes: settings.intervalMinutes,
      next_poll_at: null,
      cursor: null,
      last_poll_at: null,
      last_error: null,
      last_error_at: null,
      webhook_secret_hash: null,
      webhook_secret_enc: null,
      vendor_webhook_id: null,
      registration: 'none',
      updated_at: now,
    };
    const kindChanged = existing !== undefined && existing.kind !== settings.kind;
    if (kindChanged && existing.vendor_webhook_id) await this.#unregister(instance, existing.vendor_webhook_id);
    row.kind = settings.kind;
    row.interval_minutes = settings.kind === 'polling' ? settings.intervalMinutes : WEBHOOK_CATCH_UP_MINUTES;
    row.updated_at = now;
    if (settings.kind === 'polling') {
      if (!existing || kindChanged || row.next_poll_at === null) row.next_poll_at = now;
      row.vendor_webhook_id = null;
      row.registration = 'none';
    } else {
      // The first catch-up poll takes the vendor's "now" as its starting point.
      if (!existing || kindChanged || row.next_poll_at === null) row.next_poll_at = now;
      if (!row.webhook_secret_hash) Object.assign(row, this.repo.newWebhookSecret());
      if (kindChanged) row.vendor_webhook_id = null;
      if (!row.vendor_webhook_id) {
        const url = intakeUrl(this.publicUrl(), instance.elementKey, instance.id, this.secretOf(row)!);
        try {
          const id = await element.events.register?.(this.service.context(instance), url);
          registered = id ?? undefined;
          row.vendor_webhook_id = id ?? null;
          row.registration = id ? 'auto' : 'manual';
          row.last_error = null;
        } catch (err) {
          row.registration = 'manual';
          row.last_error = `Registering the webhook in the vendor failed: ${(err as Error).message}`;
          row.last_error_at = now;
        }
      }
    }
    try {
      await this.repo.upsertSource(row);
    } catch (err) {
      // Not stored, the vendor's webhook would be known to nobody, and never removed.
      if (registered) await this.#unregister(instance, registered);
      throw err;
    }
  }

  /**
   * Removes the instance's webhook from the vendor: at once (`vendorNow`), or later when the
   * vendor cannot now; or by the worker alone (`WebhookRemovals`).
   */
  #unregister(instance: Instance, vendorId: string, vendorNow = true): Promise<void> {
    const { organizationId, elementKey, id, configuration, vendorMeta } = instance;
    const owner = { organizationId, elementKey, instance: { id, configuration, vendorMeta } };
    return vendorNow ? this.removals.remove(owner, vendorId, this.service.context(instance)) : this.removals.later(owner, vendorId);
  }

  /** Events turned off or the instance deleted: its source goes, its webhook is removed from the vendor (`vendorNow`: at once). */
  async remove(instance: Instance, vendorNow = true): Promise<void> {
    const existing = await this.repo.source(instance.id);
    if (existing?.vendor_webhook_id) await this.#unregister(instance, existing.vendor_webhook_id, vendorNow);
    await this.repo.deleteSource(instance.id);
    await this.repo.cancelDeliveries(instance.id, 'the instance was deleted or its events turned off');
  }
}

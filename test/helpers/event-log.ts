import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/db.ts';

/**
 * An event written straight into the event log of an instance, as a poll would have recorded it,
 * for tests of reading the log: its time is `at`, its one change is of `objectId`.
 */
export async function logEvent(store: Store, event: { organizationId: number; instanceId: number; at: string; id?: string; objectId?: string }): Promise<void> {
  const change = { eventType: 'UPDATED', objectType: 'incidents', objectId: event.objectId ?? 'CE-1', elementKey: 'jiraonprem', date: event.at };
  await store.db
    .insertInto('events')
    .values({
      id: event.id ?? randomUUID(),
      organization_id: event.organizationId,
      instance_id: event.instanceId,
      element_key: 'jiraonprem',
      source: 'polling',
      status: 'NOTIFIED',
      event_date: event.at,
      events: JSON.stringify([change]),
      provider_data: '{}',
      created_at: event.at,
    })
    .execute();
}

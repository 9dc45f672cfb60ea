import { useEffect, useState } from 'react';
import { ScrollBox } from './scroll-box.tsx';
import { api, describeError, type EventDelivery, type EventRecord, type EventStatus } from '../api.ts';
import { CopyButton } from './copy-button.tsx';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { timeZoneName: 'short' });

/** What happened to one delivery, in words: delivered, retrying (and when next), sending, failed, or held for an asynchronous call's answer. */
export function deliveryState(d: EventDelivery): string {
  const last = d.lastStatus !== null ? `HTTP ${d.lastStatus}` : d.lastError;
  const tried = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${last ? `, last: ${last}` : ''}`;
  switch (d.status) {
    case 'delivered':
      return `Delivered${d.deliveredDate ? ` ${when(d.deliveredDate)}` : ''} (${tried})`;
    case 'failed':
      return `Failed after ${tried}`;
    case 'sending':
      return `Sending (${tried})`;
    case 'held':
      return 'Waiting for the answer of the asynchronous call';
    default:
      return d.attempts === 0
        ? `Waiting to be sent${d.nextAttemptDate ? ` at ${when(d.nextAttemptDate)}` : ''}`
        : `Retrying${d.nextAttemptDate ? ` at ${when(d.nextAttemptDate)}` : ''} (${tried})`;
  }
}

/**
 * An instance's events: whether they are on, the webhook URL to register by hand when the
 * vendor user could not register it, and each event's deliveries as they really stand.
 */
export function EventLog({ instanceId, elementName }: { instanceId: number; elementName: string }) {
  const [status, setStatus] = useState<EventStatus>();
  const [events, setEvents] = useState<EventRecord[]>([]);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const load = () => {
    api<EventStatus>('GET', `/instances/${instanceId}/events/status`).then(
      (r) => setStatus(r.body),
      (e) => setError(describeError(e)),
    );
    api<EventRecord[]>('GET', `/instances/${instanceId}/events?pageSize=20`).then(
      (r) => setEvents(r.body),
      (e) => setError(describeError(e)),
    );
  };
  useEffect(load, [instanceId]);
  const redeliver = async (id: string) => {
    setNotice(undefined);
    setError(undefined);
    try {
      await api('POST', `/instances/${instanceId}/events/${id}/redeliver`);
      setNotice(`Event ${id} is queued to be delivered again.`);
      load();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="notice" data-testid="event-notice">
          {notice}
        </p>
      )}
      {status && !status.enabled && <p className="muted">Events are off for this instance.</p>}
      {status?.lastError && <p className="error">Last poll failed: {status.lastError}</p>}
      {status?.webhookRegistration === 'manual' && status.webhookUrl && (
        <div className="manual-webhook" data-testid="manual-webhook">
          <p id="manual-webhook-label">
            {elementName} did not let this instance's user register the webhook: register this URL in {elementName} by hand, or no webhook events arrive.
          </p>
          <code>{status.webhookUrl}</code> <CopyButton text={status.webhookUrl} label="Copy the webhook URL" />
        </div>
      )}
      {status?.enabled && events.length === 0 && <p className="muted">No events yet.</p>}
      {events.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Events</th>
              <th scope="col">Delivery</th>
              <th scope="col">Payload</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{when(e.eventDate)}</td>
                <td>{e.events.map((x) => `${x.eventType} ${x.objectId}`).join(', ')}</td>
                <td data-testid="delivery-state">{e.deliveries.length ? e.deliveries.map(deliveryState).join('; ') : 'No callback'}</td>
                <td>
                  <details>
                    <summary>Show</summary>
                    <ScrollBox className="response">{JSON.stringify(e.notifiedData, null, 2)}</ScrollBox>
                  </details>
                </td>
                <td>
                  <button type="button" className="secondary" onClick={() => void redeliver(e.id)} aria-label={`Redeliver event ${e.id}`}>
                    Redeliver
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { Loading } from '../components/loading.tsx';
import { ListTable } from '../components/list-table.tsx';
import { DeleteButton } from '../components/delete-button.tsx';
import { useAction } from '../components/use-action.ts';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { api, type NotificationDelivery, type NotificationSubscription, type PlatformNotification } from '../api.ts';

const SEVERITIES = ['low', 'medium', 'high'] as const;
type Severity = (typeof SEVERITIES)[number];
/** How often the page reads again while a delivery is still on its way. */
const REFRESH_MS = 1000;

interface Lists {
  notifications: PlatformNotification[];
  subscriptions: NotificationSubscription[];
  deliveries: NotificationDelivery[];
}

function DeliveryStatus({ delivery }: { delivery: NotificationDelivery }) {
  const kind = delivery.status === 'delivered' ? 'valid' : delivery.status === 'failed' || delivery.status === 'queued' ? 'invalid' : 'disabled';
  return (
    <>
      <span className={`badge ${kind}`}>{delivery.status}</span>
      {delivery.lastError && <div className="muted">{delivery.lastError}</div>}
    </>
  );
}

/**
 * Platform notifications (`#/notifications`): subscribe a URL to topics, post a notification on a
 * topic, and follow each delivery; queued and failed ones are sent again from here.
 */
export function NotificationsPage() {
  useTitle('Notifications');
  const [lists, setLists] = useState<Lists>();
  const [topics, setTopics] = useState('');
  const [url, setUrl] = useState('');
  const [topic, setTopic] = useState('');
  const [severity, setSeverity] = useState<Severity>('low');
  const [message, setMessage] = useState('');
  const { error, notice, act, load } = useAction();

  const reload = useCallback(
    () =>
      load(async () => {
        const [notifications, subscriptions, deliveries] = await Promise.all([
          api<PlatformNotification[]>('GET', '/notifications?pageSize=50'),
          api<NotificationSubscription[]>('GET', '/notifications/subscriptions?pageSize=200'),
          api<NotificationDelivery[]>('GET', '/notifications/subscriptions/deliveries?pageSize=50'),
        ]);
        setLists({ notifications: notifications.body, subscriptions: subscriptions.body, deliveries: deliveries.body });
      }),
    [load],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  // Read again after each read while a delivery is still on its way.
  useEffect(() => {
    if (!lists?.deliveries.some((d) => d.status === 'pending' || d.status === 'sending')) return;
    const timer = setTimeout(() => void reload(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [lists, reload]);

  if (!lists) return <Loading error={error} />;

  const subscribe = () =>
    act(async () => {
      const list = topics
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      await api('POST', '/notifications/subscriptions', { channel: 'webhook', topics: list, config: { url } });
      setTopics('');
      setUrl('');
      return `Subscribed to ${list.join(', ')}.`;
    }, reload);
  const post = () =>
    act(async () => {
      await api('POST', '/notifications', { topic, severity, message });
      setMessage('');
      return `Notification posted on ${topic}.`;
    }, reload);

  return (
    <section>
      <h1>Notifications</h1>
      <p className="muted">
        A notification posted on a topic is POSTed to every URL subscribed to that topic, retried as event notifications are. After nine failed attempts a
        subscription is deactivated, and what it hears waits, queued, until it is sent again.
      </p>
      <ActionMessages error={error} notice={notice} />
      <div className="bulk-forms">
        <ActionForm onSubmit={subscribe}>
          <h2>New subscription</h2>
          <label htmlFor="subscription-topics">Topics (separated by commas)</label>
          <input id="subscription-topics" value={topics} onChange={(e) => setTopics(e.target.value)} required />
          <label htmlFor="subscription-url">Webhook URL</label>
          <input id="subscription-url" type="url" className="code" value={url} onChange={(e) => setUrl(e.target.value)} required />
          <button type="submit" className="primary">
            Subscribe
          </button>
        </ActionForm>
        <ActionForm onSubmit={post}>
          <h2>Post a notification</h2>
          <label htmlFor="notification-topic">Topic</label>
          <input id="notification-topic" value={topic} onChange={(e) => setTopic(e.target.value)} required />
          <label htmlFor="notification-severity">Severity</label>
          <select id="notification-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <label htmlFor="notification-message">Message</label>
          <textarea id="notification-message" rows={3} value={message} onChange={(e) => setMessage(e.target.value)} required />
          <button type="submit" className="primary">
            Post
          </button>
        </ActionForm>
      </div>

      <h2>Subscriptions</h2>
      <ListTable
        rows={lists.subscriptions}
        rowKey={(s) => s.id}
        empty="No subscriptions yet."
        columns={[
          { header: 'Topics', cell: (s) => s.topics.join(', ') },
          { header: 'URL', className: 'wrap', cell: (s) => <code>{s.config.url}</code> },
          { header: 'State', cell: (s) => <span className={`badge ${s.active ? 'valid' : 'invalid'}`}>{s.active ? 'active' : 'deactivated'}</span> },
          {
            header: 'Actions',
            cell: (s) => (
              <DeleteButton
                label={`Delete the subscription to ${s.topics.join(', ')}`}
                confirmation={`Delete the subscription to ${s.topics.join(', ')}? ${s.config.url} gets no more notifications of it.`}
                remove={() =>
                  act(async () => {
                    await api('DELETE', `/notifications/subscriptions/${s.id}`);
                    return 'Subscription deleted.';
                  }, reload)
                }
              />
            ),
          },
        ]}
      />

      <h2>Deliveries</h2>
      {lists.deliveries.length > 0 && (
        <button
          type="button"
          onClick={() =>
            act(async () => {
              const sent = await api<{ redelivered: number }>('PUT', '/notifications/subscriptions/deliveries');
              return sent.body.redelivered === 1 ? '1 delivery sent again.' : `${sent.body.redelivered} deliveries sent again.`;
            }, reload)
          }
        >
          Send queued and failed deliveries again
        </button>
      )}
      <ListTable
        rows={lists.deliveries}
        rowKey={(d) => d.id}
        empty="No deliveries yet."
        columns={[
          { header: 'Topic', cell: (d) => d.topic },
          { header: 'To', className: 'wrap', cell: (d) => <code>{d.config.url}</code> },
          { header: 'Status', cell: (d) => <DeliveryStatus delivery={d} /> },
          { header: 'Attempts', cell: (d) => d.attempts },
          { header: 'Made', cell: (d) => <When iso={d.createdDate} /> },
        ]}
      />

      <h2>Notifications</h2>
      <ListTable
        rows={lists.notifications}
        rowKey={(n) => n.id}
        empty="No notifications yet."
        columns={[
          { header: 'Topic', cell: (n) => n.topic },
          { header: 'Severity', cell: (n) => n.severity },
          { header: 'Message', className: 'wrap', cell: (n) => n.message },
          { header: 'Posted', cell: (n) => <When iso={n.createdDate} /> },
          {
            header: 'Actions',
            cell: (n) => (
              <>
                {n.acknowledged ? (
                  <span className="muted">acknowledged</span>
                ) : (
                  <button
                    type="button"
                    aria-label={`Acknowledge the notification on ${n.topic}`}
                    onClick={() =>
                      act(async () => {
                        await api('PUT', `/notifications/${n.id}/acknowledge`);
                        return 'Notification acknowledged.';
                      }, reload)
                    }
                  >
                    Acknowledge
                  </button>
                )}{' '}
                <DeleteButton
                  label={`Delete the notification on ${n.topic}`}
                  confirmation={`Delete the notification on ${n.topic}, with its deliveries?`}
                  remove={() =>
                    act(async () => {
                      await api('DELETE', `/notifications/${n.id}`);
                      return 'Notification deleted.';
                    }, reload)
                  }
                />
              </>
            ),
          },
        ]}
      />
    </section>
  );
}

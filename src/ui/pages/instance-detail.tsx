import { useEffect, useRef, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { EventLog } from '../components/event-log.tsx';
import { Loading } from '../components/loading.tsx';
import { api, describeError, type Element, instanceLoadError, type Instance } from '../api.ts';
import { Secret } from '../components/secret.tsx';
import { go } from '../router.ts';
import { Authenticate } from './authenticate.tsx';
import { Explorer } from './explorer.tsx';

/** A switch that moves at once and follows the server's value once the change is saved (or refused). */
function Switch({ on, onChange, label }: { on: boolean; onChange: (on: boolean) => Promise<boolean>; label: string }) {
  const [shown, setShown] = useState(on);
  useEffect(() => setShown(on), [on]);
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        aria-checked={shown}
        checked={shown}
        onChange={(e) => {
          const wanted = e.target.checked;
          setShown(wanted);
          void onChange(wanted).then((saved) => saved || setShown(!wanted));
        }}
      />
      {label}
    </label>
  );
}

export function InstanceDetail({ id, editing }: { id: string; editing: boolean }) {
  const [instance, setInstance] = useState<Instance>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  useTitle(instance?.name ?? `Instance ${id}`);
  // Each setting under the name its form gives it (the key stays on hover).
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  const elementKey = instance?.element.key;
  useEffect(() => {
    if (!elementKey) return;
    api<Element>('GET', `/elements/${elementKey}`).then(
      (r) => setLabels(new Map(r.body.configuration.map((c) => [c.key, c.name]))),
      () => undefined,
    );
  }, [elementKey]);
  const load = () => {
    api<Instance>('GET', `/instances/${id}`).then(
      (r) => setInstance(r.body),
      (e) => setError(instanceLoadError(e, id)),
    );
  };
  useEffect(load, [id]);
  // The safe choice has the focus when the delete prompt opens.
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);
  if (!instance) return <Loading error={error} />;
  if (editing) return <Authenticate elementKey={instance.element.key} instance={instance} />;

  /** Runs a change and reloads the instance; false (with the error shown) when it was refused. */
  const act = async (work: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    try {
      await work();
      load();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    }
  };
  return (
    <section>
      <h1>{instance.name}</h1>
      <p>
        <span className={`badge ${instance.disabled ? 'disabled' : instance.valid ? 'valid' : 'invalid'}`} data-testid="instance-status">
          {instance.disabled ? 'disabled' : instance.valid ? 'valid' : 'invalid'}
        </span>{' '}
        {instance.element.name} · id {instance.id} · created <When iso={instance.createdDate} />
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Secret id="detail-token" label="Instance token" value={instance.token} />
      <h2>Configuration</h2>
      <dl className="config">
        {Object.entries(instance.configuration).map(([k, v]) => (
          <div key={k}>
            <dt title={k}>{labels.get(k) ?? k}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => go(`instances/${id}/edit`)}>
          Edit and re-authenticate
        </button>
        {instance.disabled ? (
          <button type="button" className="secondary" onClick={() => act(() => api('PUT', `/instances/${id}/enabled`))}>
            Enable
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => act(() => api('DELETE', `/instances/${id}/enabled`))}>
            Disable
          </button>
        )}
        {!confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
      </div>
      {confirming && (
        <div role="alertdialog" aria-labelledby="confirm-delete" className="confirm">
          <p id="confirm-delete">Delete “{instance.name}”? Its token stops working at once.</p>
          <button
            type="button"
            className="danger"
            onClick={() =>
              act(async () => {
                await api('DELETE', `/instances/${id}`);
                go('instances');
              })
            }
          >
            Delete for good
          </button>
          <button type="button" className="secondary" ref={keep} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      <h2>Operating</h2>
      <div className="switches">
        <Switch
          on={instance.traceLoggingEnabled}
          onChange={(on) => act(() => api('PATCH', `/instances/${id}`, { traceLoggingEnabled: on }))}
          label={`Trace logging: record each call to ${instance.element.name}, secrets redacted, for 24 hours`}
        />
        <Switch
          on={instance.cachingEnabled}
          onChange={(on) => act(() => api('PATCH', `/instances/${id}`, { cachingEnabled: on }))}
          label={`Caching: answer repeated reads from memory for ${instance.cacheTimeToLive || 60} s`}
        />
      </div>
      <p>
        <a href={`#/usage/${instance.id}`}>Usage and traces of this instance</a> · <a href={`#/bulk/${instance.id}`}>Bulk jobs (export and import)</a>
      </p>
      <h2>Events</h2>
      <EventLog instanceId={instance.id} elementName={instance.element.name} />
      <h2>API explorer</h2>
      <Explorer instanceId={instance.id} token={instance.token} />
    </section>
  );
}

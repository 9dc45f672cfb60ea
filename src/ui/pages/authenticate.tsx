import { useEffect, useState, type FormEvent } from 'react';
import { Loading } from '../components/loading.tsx';
import { API, api, describeError, storedSecrets, type ConfigurationDefinition, type Element, type Instance } from '../api.ts';
import { Secret } from '../components/secret.tsx';
import { go } from '../router.ts';
import { CopyButton } from '../components/copy-button.tsx';

const EVENT_KEYS = [
  'event.notification.enabled',
  'event.vendor.type',
  'event.notification.callback.url',
  'event.notification.signature.key',
  'event.poller.refresh_interval',
];

/** The authenticate form, generated from the element's configuration definitions. */
export function Authenticate({ elementKey, instance: existing }: { elementKey: string; instance?: Instance }) {
  const [element, setElement] = useState<Element>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [name, setName] = useState(existing?.name ?? '');
  const [tags, setTags] = useState(existing ? existing.tags.join(', ') : '');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Instance>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the form starts from `existing` once; a later render must not reset what the user typed
  useEffect(() => {
    api<Element>('GET', `/elements/${elementKey}`).then(
      (r) => {
        setElement(r.body);
        const initial: Record<string, string> = {};
        for (const c of r.body.configuration) {
          const v = existing?.configuration[c.key];
          initial[c.key] =
            v === undefined || v === null ? (c.type === 'BOOLEAN' ? (c.defaultValue ?? 'false') : '') : typeof v === 'string' ? v : JSON.stringify(v);
        }
        setValues(initial);
      },
      (e) => setError(describeError(e)),
    );
  }, [elementKey]);
  if (!element) return <Loading error={error} />;

  const visible = element.configuration.filter((c) => !c.hideFromConsole && !c.internal);
  const credentials = visible.filter((c) => !EVENT_KEYS.includes(c.key));
  const events = visible.filter((c) => EVENT_KEYS.includes(c.key));
  const usesToken = (values.personalAccessToken ?? '') !== '';

  const validate = (): boolean => {
    const errors: Record<string, string> = {};
    if (name.trim() === '') errors.name = 'Give the instance a name';
    for (const c of credentials) {
      const optional = (c.key === 'username' || c.key === 'password') && usesToken;
      if (c.required && !optional && (values[c.key] ?? '').trim() === '' && !(existing && c.type === 'PASSWORD')) errors[c.key] = `${c.name} is required`;
    }
    const site = values.siteAddress ?? '';
    if (site && !/^https?:\/\/\S+$/.test(site)) errors.siteAddress = 'Use the full address, starting with https:// (or http://)';
    if (values['event.notification.enabled'] === 'true' && !/^https?:\/\/\S+$/.test(values['event.notification.callback.url'] ?? '')) {
      errors['event.notification.callback.url'] = 'Events need a callback URL (http or https)';
    }
    setFieldErrors(errors);
    return Object.keys(errors).length === 0;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!validate()) return;
    const configuration: Record<string, unknown> = {};
    for (const c of visible) {
      const v = values[c.key] ?? '';
      if (v !== '' || c.type === 'BOOLEAN') configuration[c.key] = c.type === 'BOOLEAN' ? v === 'true' : v;
    }
    const body = {
      element: { key: element.key },
      name,
      configuration,
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    };
    setBusy(true);
    try {
      const res = existing ? await api<Instance>('PATCH', `/instances/${existing.id}`, body) : await api<Instance>('POST', '/instances', body);
      if (existing) go(`instances/${existing.id}`);
      else setCreated(res.body);
    } catch (err) {
      setError(describeError(err, element.name));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    const s = storedSecrets();
    const curl = `curl -H "Authorization: User ${s?.user}, Organization ${s?.company}, Element ${created.token}" ${location.origin}${API}/hubs/${element.hub}/incidents?pageSize=5`;
    return (
      <section aria-live="polite">
        <h1>Instance “{created.name}” is ready</h1>
        <p>
          Instance id: <code data-testid="instance-id">{created.id}</code>
        </p>
        <Secret id="instance-token" label="Instance token" value={created.token} />
        <h2>Your first call</h2>
        <pre className="curl" data-testid="curl">
          {curl}
        </pre>
        <CopyButton text={curl} label="Copy cURL" />
        <p>
          <a href={`#/instances/${created.id}`}>Open the instance</a>
        </p>
      </section>
    );
  }

  const field = (c: ConfigurationDefinition) => {
    const id = `cfg-${c.key.replace(/\./g, '-')}`;
    const err = fieldErrors[c.key];
    if (c.type === 'BOOLEAN') {
      return (
        <div key={c.key} className="field checkbox">
          <input id={id} type="checkbox" checked={values[c.key] === 'true'} onChange={(e) => setValues({ ...values, [c.key]: String(e.target.checked) })} />
          <label htmlFor={id}>{c.name}</label>
        </div>
      );
    }
    if (c.key === 'event.vendor.type') {
      return (
        <div key={c.key} className="field">
          <label htmlFor={id}>{c.name}</label>
          <select id={id} value={values[c.key] || 'polling'} onChange={(e) => setValues({ ...values, [c.key]: e.target.value })}>
            <option value="polling">Polling</option>
            <option value="webhook">{element.name} webhook</option>
          </select>
        </div>
      );
    }
    return (
      <div key={c.key} className="field">
        <label htmlFor={id}>
          {c.name}
          {c.required && !(usesToken && (c.key === 'username' || c.key === 'password')) ? ' *' : ''}
        </label>
        {c.type === 'TEXTAREA' ? (
          <textarea
            id={id}
            value={values[c.key] ?? ''}
            onChange={(e) => setValues({ ...values, [c.key]: e.target.value })}
            aria-invalid={!!err}
            aria-describedby={`${id}-help`}
          />
        ) : (
          <input
            id={id}
            type={c.type === 'PASSWORD' ? 'password' : 'text'}
            autoComplete="off"
            value={values[c.key] === '********' ? '' : (values[c.key] ?? '')}
            placeholder={existing && c.type === 'PASSWORD' ? 'unchanged' : undefined}
            onChange={(e) => setValues({ ...values, [c.key]: e.target.value })}
            aria-invalid={!!err}
            aria-describedby={`${id}-help`}
          />
        )}
        <small id={`${id}-help`} className={err ? 'error' : 'muted'}>
          {err ?? c.description}
        </small>
      </div>
    );
  };

  return (
    <section>
      <h1>{existing ? `Edit ${existing.name}` : `Authenticate ${element.name}`}</h1>
      <form onSubmit={submit} noValidate aria-busy={busy}>
        <div className="field">
          <label htmlFor="instance-name">Name *</label>
          <input
            id="instance-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={!!fieldErrors.name}
            aria-describedby="instance-name-help"
          />
          <small id="instance-name-help" className={fieldErrors.name ? 'error' : 'muted'}>
            {fieldErrors.name ?? 'Shown in lists and added to the tags'}
          </small>
        </div>
        {credentials.map(field)}
        <div className="field">
          <label htmlFor="instance-tags">Tags</label>
          <input id="instance-tags" value={tags} onChange={(e) => setTags(e.target.value)} aria-describedby="instance-tags-help" />
          <small id="instance-tags-help" className="muted">
            Comma-separated
          </small>
        </div>
        <fieldset>
          <legend>Events</legend>
          {events.map(field)}
        </fieldset>
        {error && (
          <p role="alert" className="error" data-testid="form-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? `Checking the credentials with ${element.name}…` : existing ? 'Save and re-check' : 'Create instance'}
        </button>
      </form>
    </section>
  );
}

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTitle } from '../components/page-title.ts';
import { Loading } from '../components/loading.tsx';
import { API, api, describeError, type ConfigurationDefinition, type Element, type ElementMetadata, type Instance } from '../api.ts';
import { Secret } from '../components/secret.tsx';
import { go } from '../router.ts';
import { CurlExample } from '../components/curl-example.tsx';
import { applicableEventKeys, configurationGroups, EVENT_KEYS, refusalTarget, type AuthMethod } from '../configuration-groups.ts';

const fieldId = (key: string) => `cfg-${key.replace(/\./g, '-')}`;

/** The authenticate form, generated from the element's configuration definitions. */
export function Authenticate({ elementKey, instance: existing }: { elementKey: string; instance?: Instance }) {
  useTitle(existing ? `Edit ${existing.name}` : `Authenticate ${elementKey}`);
  const [element, setElement] = useState<Element>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [name, setName] = useState(existing?.name ?? '');
  const [tags, setTags] = useState(existing ? existing.tags.join(', ') : '');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Instance>();
  const [method, setMethod] = useState<AuthMethod['id']>();
  const [eventMethods, setEventMethods] = useState<string[]>(['polling']);
  const form = useRef<HTMLFormElement>(null);
  // Raised after a refusal; the effect runs once the marked fields are on screen and focuses the first.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest === 0) return;
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!invalid) return;
    // A field inside the collapsed advanced section is opened to be seen.
    const details = invalid.closest('details');
    if (details) details.open = true;
    invalid.focus();
  }, [focusRequest]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the form starts from `existing` once; a later render must not reset what the user typed
  useEffect(() => {
    // The event types the element offers: polling, and webhooks where the vendor can call back.
    api<ElementMetadata>('GET', `/elements/${elementKey}/metadata`).then(
      (r) => setEventMethods(r.body.events.methods),
      () => undefined,
    );
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

  const groups = configurationGroups(element.configuration);
  // An instance being edited keeps the method its stored values use; a new one starts with the element's first.
  const inUse = existing ? groups.methods.find((m) => m.keys.some((k) => values[k])) : undefined;
  const chosen = groups.methods.find((m) => m.id === method) ?? inUse ?? groups.methods[0];
  const credentialKeys = chosen?.keys ?? [];
  const eventKeys = applicableEventKeys(values);
  // What is sent: the fields shown, never those of the method not chosen or of events that are off.
  const sent = [
    groups.site,
    ...credentialKeys.map((k) => groups.byKey.get(k)),
    ...groups.main,
    ...groups.advanced,
    ...groups.events.filter((c) => eventKeys.includes(c.key)),
  ].filter((c): c is ConfigurationDefinition => c !== undefined);

  const focusFirstInvalid = () => setFocusRequest((n) => n + 1);

  const validate = (): boolean => {
    const errors: Record<string, string> = {};
    const site = values.siteAddress ?? '';
    if (groups.site?.required && site.trim() === '') errors.siteAddress = `${groups.site.name} is required`;
    else if (site && !/^https?:\/\/\S+$/.test(site)) errors.siteAddress = 'Use the full address, starting with https:// (or http://)';
    for (const key of credentialKeys) {
      const c = groups.byKey.get(key)!;
      // Editing: a stored secret is kept when its field is left empty.
      const kept = existing && c.type === 'PASSWORD' && values[key] === '********';
      if ((values[key] ?? '').trim() === '' && !kept) errors[key] = `${c.name} is required`;
    }
    for (const c of groups.main) if ((values[c.key] ?? '').trim() === '' && !(existing && c.type === 'PASSWORD')) errors[c.key] = `${c.name} is required`;
    if (name.trim() === '') errors.name = 'Give the instance a name';
    if (values[EVENT_KEYS.enabled] === 'true' && !/^https?:\/\/\S+$/.test(values[EVENT_KEYS.callback] ?? '')) {
      errors[EVENT_KEYS.callback] = 'Events need a callback URL (http or https)';
    }
    setFieldErrors(errors);
    return Object.keys(errors).length === 0;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!validate()) {
      focusFirstInvalid();
      return;
    }
    const configuration: Record<string, unknown> = {};
    for (const c of sent) {
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
      const message = describeError(err, element.name);
      setError(message);
      // The vendor's refusal goes on the fields it is about.
      const target = refusalTarget(message);
      const keys = target === 'credentials' ? credentialKeys : target === 'site' ? ['siteAddress'] : [];
      setFieldErrors(Object.fromEntries(keys.map((k) => [k, message])));
      if (keys.length) focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <section aria-live="polite">
        <h1>Instance “{created.name}” is ready</h1>
        <p>
          Instance id: <code data-testid="instance-id">{created.id}</code>
        </p>
        <Secret id="instance-token" label="Instance token" value={created.token} />
        <h2>Your first call</h2>
        <CurlExample token={created.token} url={`${location.origin}${API}/hubs/${element.hub}/incidents?pageSize=5`} />
        <p>
          <a href={`#/instances/${created.id}`}>Open the instance</a>
        </p>
      </section>
    );
  }

  const field = (c: ConfigurationDefinition) => {
    const id = fieldId(c.key);
    const err = fieldErrors[c.key];
    const set = (v: string) => setValues({ ...values, [c.key]: v });
    if (c.type === 'BOOLEAN') {
      return (
        <div key={c.key} className="field checkbox">
          <input id={id} type="checkbox" checked={values[c.key] === 'true'} onChange={(e) => set(String(e.target.checked))} />
          <label htmlFor={id}>{c.name}</label>
        </div>
      );
    }
    if (c.key === EVENT_KEYS.type) {
      return (
        <div key={c.key} className="field">
          <label htmlFor={id}>{c.name}</label>
          <select id={id} value={values[c.key] || 'polling'} onChange={(e) => set(e.target.value)}>
            {eventMethods.map((m) => (
              <option key={m} value={m}>
                {m === 'webhook' ? `${element.name} webhook` : m === 'polling' ? 'Polling' : m}
              </option>
            ))}
          </select>
        </div>
      );
    }
    const required = c.key === 'siteAddress' || credentialKeys.includes(c.key) || c.required;
    const common = {
      id,
      value: values[c.key] === '********' ? '' : (values[c.key] ?? ''),
      onChange: (e: { target: { value: string } }) => set(e.target.value),
      'aria-invalid': err ? true : undefined,
      'aria-describedby': `${id}-help`,
      placeholder: existing && c.type === 'PASSWORD' && values[c.key] === '********' ? 'unchanged' : (c.defaultValue ?? undefined),
    };
    return (
      <div key={c.key} className="field">
        <label htmlFor={id}>
          {c.name}
          {required ? ' *' : ''}
        </label>
        {c.type === 'TEXTAREA' ? (
          <textarea {...common} className="code" />
        ) : (
          <input {...common} type={c.type === 'PASSWORD' ? 'password' : 'text'} autoComplete="off" />
        )}
        <small id={`${id}-help`} className={err ? 'error' : 'muted'}>
          {err ?? c.description}
        </small>
      </div>
    );
  };
  const problems = Object.entries(fieldErrors);
  const nameOf = (key: string) => (key === 'name' ? 'Name' : (groups.byKey.get(key)?.name ?? key));

  return (
    <section>
      <h1>{existing ? `Edit ${existing.name}` : `Authenticate ${element.name}`}</h1>
      <form ref={form} onSubmit={submit} noValidate aria-busy={busy}>
        {(problems.length > 0 || error) && (
          <div role="alert" className="error-summary" data-testid="error-summary">
            <h2>{error ? `${element.name} refused the instance` : 'Some fields need attention'}</h2>
            {error && (
              <p className="error" data-testid="form-error">
                {error}
              </p>
            )}
            {problems.length > 0 && (
              <ul>
                {problems.map(([key]) => (
                  <li key={key}>
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        const target = document.getElementById(key === 'name' ? 'instance-name' : fieldId(key));
                        const details = target?.closest('details');
                        if (details) details.open = true;
                        target?.focus();
                      }}
                    >
                      {nameOf(key)}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {groups.site && field(groups.site)}
        {groups.methods.length > 1 && (
          <fieldset className="methods">
            <legend>Authenticate with</legend>
            {groups.methods.map((m) => (
              <label key={m.id} className="choice">
                <input
                  type="radio"
                  name="auth-method"
                  checked={chosen === m}
                  onChange={() => {
                    setMethod(m.id);
                    setFieldErrors({});
                  }}
                />{' '}
                {m.label}
              </label>
            ))}
          </fieldset>
        )}
        {credentialKeys.map((k) => field(groups.byKey.get(k)!))}
        {groups.main.map(field)}
        <div className="field">
          <label htmlFor="instance-name">Name *</label>
          <input
            id="instance-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby="instance-name-help"
          />
          <small id="instance-name-help" className={fieldErrors.name ? 'error' : 'muted'}>
            {fieldErrors.name ?? 'Shown in lists and added to the tags'}
          </small>
        </div>
        <div className="field">
          <label htmlFor="instance-tags">Tags</label>
          <input id="instance-tags" value={tags} onChange={(e) => setTags(e.target.value)} aria-describedby="instance-tags-help" />
          <small id="instance-tags-help" className="muted">
            Comma-separated
          </small>
        </div>
        {groups.events.length > 0 && (
          <fieldset>
            <legend>Events</legend>
            {groups.events.filter((c) => eventKeys.includes(c.key)).map(field)}
          </fieldset>
        )}
        {groups.advanced.length > 0 && (
          <details className="advanced">
            <summary>Advanced settings</summary>
            {groups.advanced.map(field)}
          </details>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? `Checking the credentials with ${element.name}…` : existing ? 'Save and re-check' : 'Create instance'}
        </button>
      </form>
    </section>
  );
}

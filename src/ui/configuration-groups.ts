import type { ConfigurationDefinition } from './api.ts';

/** Keys that name one secret that stands instead of a login (a vendor's token or API key). */
const TOKEN_KEYS = ['personalAccessToken', 'apiKey'];
const LOGIN_KEYS = ['username', 'password'];

export const EVENT_KEYS = {
  enabled: 'event.notification.enabled',
  type: 'event.vendor.type',
  callback: 'event.notification.callback.url',
  signature: 'event.notification.signature.key',
  interval: 'event.poller.refresh_interval',
} as const;
const EVENT_KEY_LIST: string[] = Object.values(EVENT_KEYS);

/** One way to authenticate to the vendor, and the configuration keys it uses. */
export interface AuthMethod {
  id: 'login' | 'token';
  label: string;
  keys: string[];
}

/**
 * The authenticate form's sections, from an element's configuration: the server address, the ways
 * to authenticate (a login, or a token where the element takes one), the events, and everything
 * else, which is advanced.
 */
export function configurationGroups(configuration: ConfigurationDefinition[]) {
  const visible = configuration.filter((c) => !c.hideFromConsole && !c.internal);
  const byKey = new Map(visible.map((c) => [c.key, c]));
  const login = LOGIN_KEYS.filter((k) => byKey.has(k));
  const token = TOKEN_KEYS.find((k) => byKey.has(k));
  const methods: AuthMethod[] = [];
  const loginMethod: AuthMethod | undefined = login.length
    ? { id: 'login', label: login.map((k) => byKey.get(k)!.name).join(' and '), keys: login }
    : undefined;
  const tokenMethod: AuthMethod | undefined = token ? { id: 'token', label: byKey.get(token)!.name, keys: [token] } : undefined;
  // The element's own order says which way it expects first.
  const tokenFirst = token !== undefined && (login.length === 0 || visible.findIndex((c) => c.key === token) < visible.findIndex((c) => c.key === login[0]));
  for (const m of tokenFirst ? [tokenMethod, loginMethod] : [loginMethod, tokenMethod]) if (m) methods.push(m);
  const credentialKeys = new Set([...login, ...(token ? [token] : [])]);
  return {
    site: byKey.get('siteAddress'),
    methods,
    events: visible.filter((c) => EVENT_KEY_LIST.includes(c.key)),
    // A required field is never hidden away as advanced.
    main: visible.filter((c) => c.key !== 'siteAddress' && !credentialKeys.has(c.key) && !EVENT_KEY_LIST.includes(c.key) && c.required),
    advanced: visible.filter((c) => c.key !== 'siteAddress' && !credentialKeys.has(c.key) && !EVENT_KEY_LIST.includes(c.key) && !c.required),
    byKey,
  };
}

/** The event fields that apply: none while events are off, the poller's interval only for polling. */
export function applicableEventKeys(values: Record<string, string>): string[] {
  if (values[EVENT_KEYS.enabled] !== 'true') return [EVENT_KEYS.enabled];
  const polling = (values[EVENT_KEYS.type] || 'polling') === 'polling';
  return [EVENT_KEYS.enabled, EVENT_KEYS.type, EVENT_KEYS.callback, EVENT_KEYS.signature, ...(polling ? [EVENT_KEYS.interval] : [])];
}

/**
 * Which fields a refusal from the vendor is about, from its message: the credentials, or the
 * server address; none when it cannot be told.
 */
export function refusalTarget(message: string): 'credentials' | 'site' | undefined {
  if (/siteAddress|cannot reach|certificate/i.test(message)) return 'site';
  if (/credential|password|token|api key|login|captcha|locked/i.test(message)) return 'credentials';
  return undefined;
}

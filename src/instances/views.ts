import type { ElementDefinition } from '../elements/element-definition.ts';
import { configurationJson, elementJson, elementSummaryJson } from '../elements/views.ts';
import type { Configuration } from '../elements/element-module.ts';
import type { Instance } from './instance-repository.ts';
import type { ConfigurationEntryJson, InstanceJson } from './schemas.ts';
import { maskUrlCredentials } from '../platform/url-credentials.ts';

import { MASK } from '../platform/secret-names.ts';

/** Keys that are secret whatever the element: PASSWORD definitions plus the OAuth pair. */
export function secretKeys(element: ElementDefinition): Set<string> {
  return new Set([...element.configuration.filter((c) => c.type === 'PASSWORD').map((c) => c.key), 'oauth.api.key', 'oauth.api.secret']);
}

/** The values of the secret configuration keys (to scrub from what is recorded, such as traces). */
export function secretValues(element: ElementDefinition | undefined, configuration: Configuration): string[] {
  if (!element) return [];
  return [...secretKeys(element)].map((k) => configuration[k]).filter((v): v is string => typeof v === 'string' && v.length >= 3);
}

/** Non-secret values as sent, except a URL's user info; secret ones as `"********"`. */
export function maskedConfiguration(element: ElementDefinition, configuration: Configuration): Configuration {
  const secrets = secretKeys(element);
  return Object.fromEntries(Object.entries(configuration).map(([k, v]) => [k, maskedValue(secrets.has(k), v)]));
}

function maskedValue(secret: boolean, value: unknown): unknown {
  if (secret) return value !== null && value !== '' ? MASK : value;
  return typeof value === 'string' ? maskUrlCredentials(value) : value;
}

/** The instance object of open-connectors-api.md §2.4 (`element.instance.schema.json`). */
export function instanceJson(instance: Instance, element: ElementDefinition, hydrate = true): InstanceJson {
  return {
    id: instance.id,
    name: instance.name,
    createdDate: instance.createdAt,
    token: instance.token,
    element: hydrate ? elementJson(element) : elementSummaryJson(element),
    elementId: element.id,
    tags: instance.tags,
    provisionInteractions: [] as unknown[],
    valid: instance.valid,
    disabled: instance.disabled,
    maxCacheSize: instance.maxCacheSize,
    cacheTimeToLive: instance.cacheTimeToLive,
    configuration: maskedConfiguration(element, instance.configuration),
    eventsEnabled: instance.eventsEnabled,
    traceLoggingEnabled: instance.traceLoggingEnabled,
    cachingEnabled: instance.cachingEnabled,
    externalAuthentication: instance.externalAuthentication,
    user: { id: instance.owner.id, emailAddress: instance.owner.email, firstName: instance.owner.firstName, lastName: instance.owner.lastName },
  };
}

/** The configuration sub-resource: one entry per definition, `propertyValue` always a string. */
export function configurationEntries(instance: Instance, element: ElementDefinition): ConfigurationEntryJson[] {
  const secrets = secretKeys(element);
  return element.configuration
    .map((def, index) => ({ def, index }))
    .filter(({ def }) => !def.internal)
    .map(({ def, index }) => {
      const json = configurationJson(element, def, index);
      const value = instance.configuration[def.key];
      const text = value === undefined || value === null ? (def.defaultValue ?? '') : typeof value === 'string' ? value : JSON.stringify(value);
      return {
        id: json.id,
        key: def.key,
        propertyValue: maskedValue(secrets.has(def.key), text) as string,
        name: def.name,
        description: def.description,
        type: def.type,
        required: def.required,
      };
    });
}

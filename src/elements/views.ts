import type { ConfigurationDefinition, ElementDefinition } from './element-definition.ts';
import type { ConfigurationJson, ElementJson, ElementSummaryJson, MetadataJson } from './schemas.ts';

/** One configuration definition as Open Connectors serialises it (`element.configuration.schema.json`). */
export function configurationJson(element: ElementDefinition, def: ConfigurationDefinition, index: number): ConfigurationJson {
  return {
    id: element.id * 100 + index + 1,
    name: def.name,
    key: def.key,
    description: def.description,
    ...(def.defaultValue !== undefined && { defaultValue: def.defaultValue }),
    resellerConfig: false,
    companyConfig: false,
    active: true,
    internal: def.internal ?? false,
    groupControl: false,
    displayOrder: index + 1,
    type: def.type,
    hideFromConsole: def.hideFromConsole ?? false,
    required: def.required,
  };
}

export const configurationList = (element: ElementDefinition): ConfigurationJson[] => element.configuration.map((def, i) => configurationJson(element, def, i));

/** The element object (`element.schema.json`), with every field of Open Connectors' element example. */
export function elementJson(element: ElementDefinition): ElementJson {
  return {
    id: element.id,
    name: element.name,
    hookName: element.hookName,
    key: element.key,
    description: element.description,
    image: element.image,
    active: true,
    deleted: false,
    typeOauth: element.authentication.type.startsWith('oauth'),
    trialAccount: false,
    configDescription: element.configDescription,
    signupURL: element.signupURL,
    existingAccountDescription: element.existingAccountDescription,
    defaultTransformations: [] as unknown[],
    transformationsEnabled: true,
    bulkDownloadEnabled: element.resources.some((r) => r.bulk.download),
    bulkUploadEnabled: element.resources.some((r) => r.bulk.upload),
    // Cloning and extending (the element builder) are not built: nothing claims they are.
    cloneable: false,
    extendable: false,
    beta: element.beta,
    authentication: { type: element.authentication.type },
    extended: false,
    hub: element.hub,
    protocolType: element.protocolType,
    parameters: [] as unknown[],
    private: false,
    configuration: configurationList(element),
    resources: [] as unknown[],
    hooks: [] as unknown[],
  };
}

/** The `hydrate=false` form used inside instance lists. */
export const elementSummaryJson = (element: ElementDefinition): ElementSummaryJson => ({
  id: element.id,
  key: element.key,
  name: element.name,
  hub: element.hub,
});

/** `GET /elements/{keyOrId}/metadata`, and with `expand` the full capability document. */
export function metadataJson(
  element: ElementDefinition,
  expand: boolean,
  usage: { instanceCount: number; customerCount: number; traffic: number },
): MetadataJson {
  const events = { supported: element.events.supported, methods: element.events.methods };
  const base = { id: element.id, key: element.key, name: element.name, description: element.description, events };
  if (!expand) return base;
  return {
    ...base,
    image: element.image,
    displayOrder: element.displayOrder,
    active: true,
    beta: element.beta,
    transformations: true,
    elementType: 'normal',
    churros: false,
    normalizedPaging: true,
    swaggerValidated: false,
    cloneable: false,
    authenticationType: element.authentication.type,
    discovery: { customFields: true, customObjects: false, endpointCustomFields: false, endpointCustomObjects: false },
    bulk: { upload: element.resources.some((r) => r.bulk.upload), download: element.resources.some((r) => r.bulk.download) },
    api: { type: 'REST', contentType: 'application/json' },
    hub: element.hub,
    usage,
    resources: element.resources.map((r) => ({
      canonicalName: r.name,
      operations: r.operations,
      events: {
        supported: r.events,
        methods: r.events ? element.events.methods : [],
        eventTypes: r.events ? ['CREATED', 'UPDATED', 'DELETED'] : [],
      },
      bulk: { upload: { supported: r.bulk.upload, native: false }, download: { supported: r.bulk.download, native: false } },
      customField: { get: r.customFields, create: r.customFields, update: false, delete: false },
    })),
  };
}

import { Type, type Static } from 'typebox';

/** The catalog's answers (open-connectors-api.md §3), shared by the routes and the console. */

export const ConfigurationJson = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    key: Type.String(),
    description: Type.String(),
    defaultValue: Type.Optional(Type.String()),
    resellerConfig: Type.Boolean(),
    companyConfig: Type.Boolean(),
    active: Type.Boolean(),
    internal: Type.Boolean(),
    groupControl: Type.Boolean(),
    displayOrder: Type.Integer(),
    type: Type.String(),
    hideFromConsole: Type.Boolean(),
    required: Type.Boolean(),
  },
  { title: 'ElementConfiguration' },
);
export type ConfigurationJson = Static<typeof ConfigurationJson>;

export const ElementJson = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    hookName: Type.String(),
    key: Type.String(),
    description: Type.String(),
    image: Type.String(),
    active: Type.Boolean(),
    deleted: Type.Boolean(),
    typeOauth: Type.Boolean(),
    trialAccount: Type.Boolean(),
    configDescription: Type.String(),
    signupURL: Type.String(),
    existingAccountDescription: Type.String(),
    defaultTransformations: Type.Array(Type.Unknown()),
    transformationsEnabled: Type.Boolean(),
    bulkDownloadEnabled: Type.Boolean(),
    bulkUploadEnabled: Type.Boolean(),
    cloneable: Type.Boolean(),
    extendable: Type.Boolean(),
    beta: Type.Boolean(),
    authentication: Type.Object({ type: Type.String() }),
    extended: Type.Boolean(),
    hub: Type.String(),
    protocolType: Type.String(),
    parameters: Type.Array(Type.Unknown()),
    private: Type.Boolean(),
    configuration: Type.Array(ConfigurationJson),
    resources: Type.Array(Type.Unknown()),
    hooks: Type.Array(Type.Unknown()),
  },
  { title: 'Element' },
);
export type ElementJson = Static<typeof ElementJson>;

/** The `hydrate=false` element inside instance lists. */
export const ElementSummaryJson = Type.Object({ id: Type.Integer(), key: Type.String(), name: Type.String(), hub: Type.String() }, { title: 'ElementSummary' });
export type ElementSummaryJson = Static<typeof ElementSummaryJson>;

const EventsSupport = Type.Object({ supported: Type.Boolean(), methods: Type.Array(Type.String()) });

export const ResourceMetadataJson = Type.Object({
  canonicalName: Type.String(),
  operations: Type.Array(Type.String()),
  events: Type.Object({ supported: Type.Boolean(), methods: Type.Array(Type.String()), eventTypes: Type.Array(Type.String()) }),
  bulk: Type.Object({
    upload: Type.Object({ supported: Type.Boolean(), native: Type.Boolean() }),
    download: Type.Object({ supported: Type.Boolean(), native: Type.Boolean() }),
  }),
  customField: Type.Object({ get: Type.Boolean(), create: Type.Boolean(), update: Type.Boolean(), delete: Type.Boolean() }),
});

/** `GET /elements/{keyOrId}/metadata`; with `expand=true` the members after `events` too. */
export const MetadataJson = Type.Object(
  {
    id: Type.Integer(),
    key: Type.String(),
    name: Type.String(),
    description: Type.String(),
    events: EventsSupport,
    image: Type.Optional(Type.String()),
    displayOrder: Type.Optional(Type.Integer()),
    active: Type.Optional(Type.Boolean()),
    beta: Type.Optional(Type.Boolean()),
    transformations: Type.Optional(Type.Boolean()),
    elementType: Type.Optional(Type.String()),
    churros: Type.Optional(Type.Boolean()),
    normalizedPaging: Type.Optional(Type.Boolean()),
    swaggerValidated: Type.Optional(Type.Boolean()),
    cloneable: Type.Optional(Type.Boolean()),
    authenticationType: Type.Optional(Type.String()),
    discovery: Type.Optional(
      Type.Object({ customFields: Type.Boolean(), customObjects: Type.Boolean(), endpointCustomFields: Type.Boolean(), endpointCustomObjects: Type.Boolean() }),
    ),
    bulk: Type.Optional(Type.Object({ upload: Type.Boolean(), download: Type.Boolean() })),
    api: Type.Optional(Type.Object({ type: Type.String(), contentType: Type.String() })),
    hub: Type.Optional(Type.String()),
    usage: Type.Optional(Type.Object({ instanceCount: Type.Integer(), customerCount: Type.Integer(), traffic: Type.Integer() })),
    resources: Type.Optional(Type.Array(ResourceMetadataJson)),
  },
  { title: 'ElementMetadata' },
);
export type MetadataJson = Static<typeof MetadataJson>;

export const KeyOrIdParams = Type.Object({ keyOrId: Type.String({ maxLength: 200, description: 'An element key or numeric id' }) });

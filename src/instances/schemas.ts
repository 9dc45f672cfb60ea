import { Type, type Static } from 'typebox';
import { ElementJson, ElementSummaryJson } from '../elements/schemas.ts';
import { NextPage, NumericId, PageNumber, PageSize } from '../platform/http/schemas.ts';

/** Instances (open-connectors-api.md §2), shared by the routes and the console. */

/** `{"key": "<element key>"}` or `{"id": <element id>}`: which connector. */
export const ElementRef = Type.Object(
  {
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    id: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { title: 'ElementReference', description: 'The connector, by key or by numeric id (one of them is required)' },
);
export type ElementRef = Static<typeof ElementRef>;

/** Configuration as clients send it: strings, booleans and numbers (and the poller's JSON object). */
export const ConfigurationInput = Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
  description: 'Keys of GET /elements/{key}/configuration; unknown keys are ignored',
});

const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 50 });

/** What an instance does beyond its vendor calls; settable at creation and by PUT or PATCH. */
const InstanceSwitches = {
  traceLoggingEnabled: Type.Optional(Type.Boolean()),
  cachingEnabled: Type.Optional(Type.Boolean({ description: 'Hub GET answers are kept and reused (Elements-Cache: HIT or MISS)' })),
  maxCacheSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Answers kept at most; 0: 1,000' })),
  cacheTimeToLive: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'Seconds an answer is reused; 0: 60' })),
};

export const CreateInstanceBody = Type.Object(
  {
    /** Required, unless the path names the element (`/elements/{keyOrId}/instances`). */
    element: Type.Optional(ElementRef),
    name: Type.String({ maxLength: 10_000, description: 'HTML tags are removed; at most 255 characters of text remain' }),
    configuration: Type.Optional(ConfigurationInput),
    tags: Type.Optional(Tags),
    providerData: Type.Optional(Type.Unknown()),
    externalAuthentication: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('initial')])),
    ...InstanceSwitches,
  },
  { title: 'NewInstance' },
);
export type CreateInstanceBody = Static<typeof CreateInstanceBody>;

/** PUT replaces and PATCH merges; both take the members of an instance they may change. */
export const UpdateInstanceBody = Type.Object(
  {
    element: Type.Optional(ElementRef),
    name: Type.Optional(Type.String({ maxLength: 10_000 })),
    configuration: Type.Optional(ConfigurationInput),
    tags: Type.Optional(Tags),
    providerData: Type.Optional(Type.Unknown()),
    ...InstanceSwitches,
  },
  { title: 'InstanceChanges' },
);
export type UpdateInstanceBody = Static<typeof UpdateInstanceBody>;

export const InstanceJson = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    createdDate: Type.String(),
    token: Type.String(),
    element: Type.Union([ElementJson, ElementSummaryJson]),
    elementId: Type.Integer(),
    tags: Type.Array(Type.String()),
    provisionInteractions: Type.Array(Type.Unknown()),
    valid: Type.Boolean(),
    disabled: Type.Boolean(),
    maxCacheSize: Type.Integer(),
    cacheTimeToLive: Type.Integer(),
    configuration: Type.Record(Type.String(), Type.Unknown(), { description: 'Secrets are shown as ********' }),
    eventsEnabled: Type.Boolean(),
    traceLoggingEnabled: Type.Boolean(),
    cachingEnabled: Type.Boolean(),
    externalAuthentication: Type.String(),
    user: Type.Object({ id: Type.Integer(), emailAddress: Type.String(), firstName: Type.String(), lastName: Type.String() }),
  },
  { title: 'Instance' },
);
export type InstanceJson = Static<typeof InstanceJson>;

export const ListInstancesQuery = Type.Object({
  'tags[]': Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  where: Type.Optional(Type.String({ maxLength: 10_000, description: 'CEQL on id, name, element.key, disabled, valid, tags' })),
  hydrate: Type.Optional(Type.Boolean({ description: 'false: the element in its short form' })),
  searchText: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the name or of a tag, any case' })),
  orderBy: Type.Optional(
    Type.String({
      pattern: '^(id|name|element\\.key|createdDate|updatedDate)( (asc|desc))?$',
      description: 'id, name, element.key, createdDate or updatedDate, then asc (default) or desc',
    }),
  ),
  page: Type.Optional(PageNumber),
  pageSize: Type.Optional(PageSize('200 by default, at most 1000')),
  nextPage: Type.Optional(NextPage),
});
export type ListInstancesQuery = Static<typeof ListInstancesQuery>;

export const InstanceParams = Type.Object({ id: NumericId });
export const ElementInstanceParams = Type.Object({ keyOrId: Type.String({ maxLength: 200 }), id: NumericId });
export const ElementParams = Type.Object({ keyOrId: Type.String({ maxLength: 200 }) });

export const ConfigurationEntryJson = Type.Object(
  {
    id: Type.Integer(),
    key: Type.String(),
    propertyValue: Type.String({ description: 'Secrets are shown as ********' }),
    name: Type.String(),
    description: Type.String(),
    type: Type.String(),
    required: Type.Boolean(),
  },
  { title: 'InstanceConfigurationEntry' },
);
export type ConfigurationEntryJson = Static<typeof ConfigurationEntryJson>;

export const ConfigurationEntryBody = Type.Object(
  { propertyValue: Type.String({ maxLength: 64 * 1024 }) },
  { description: 'The whole entry may be sent; only propertyValue changes' },
);

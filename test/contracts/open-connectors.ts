/**
 * What Open Connectors clients check in the platform's answers, as JSON Schema (draft-07). Written
 * for this project from the Open Connectors platform contract: each schema lists the members a
 * client reads and their JSON types, and requires the ones clients rely on being present. Our
 * answers carry more members; none is forbidden.
 */
type Schema = Record<string, unknown>;

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const number = { type: 'number' } as const;
const boolean = { type: 'boolean' } as const;
const strings = { type: 'array', items: string } as const;
const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const flags = (...names: string[]) => object(Object.fromEntries(names.map((n) => [n, boolean])), names);

const eventsSupport = object({ supported: boolean, methods: { type: 'array' } }, ['supported', 'methods']);

const configuration = object(
  {
    id: integer,
    key: string,
    name: string,
    description: string,
    defaultValue: string,
    type: string,
    displayOrder: integer,
    required: boolean,
    hideFromConsole: boolean,
    internal: boolean,
    active: boolean,
    resellerConfig: boolean,
    companyConfig: boolean,
    groupControl: boolean,
  },
  ['key', 'name', 'description'],
);

const element = object(
  {
    id: integer,
    key: string,
    name: string,
    description: string,
    image: string,
    hub: string,
    active: boolean,
    deleted: boolean,
    typeOauth: boolean,
    trialAccount: boolean,
    cloneable: boolean,
    transformationsEnabled: boolean,
    bulkDownloadEnabled: boolean,
    bulkUploadEnabled: boolean,
    authentication: object({ type: string }),
    configuration: arrayOf(configuration),
    resources: arrayOf({ type: 'object' }),
    hooks: { type: 'array' },
    parameters: arrayOf(object({ id: integer, name: string, vendorName: string, type: string, vendorType: string, source: string, required: boolean })),
  },
  ['key', 'name', 'description', 'authentication'],
);

const instance = object(
  {
    id: number,
    name: string,
    token: string,
    valid: boolean,
    tags: strings,
    configuration: { type: 'object' },
    user: object({ id: number, emailAddress: string, firstName: string, lastName: string }, ['id', 'emailAddress', 'firstName', 'lastName']),
  },
  ['id', 'name', 'token', 'valid', 'tags', 'user'],
);

const resourceMetadata = object(
  {
    canonicalName: string,
    operations: strings,
    events: object({ supported: boolean, methods: { type: 'array' }, eventTypes: { type: 'array' } }, ['supported', 'methods', 'eventTypes']),
    bulk: object(
      {
        upload: object({ supported: boolean, native: boolean }, ['supported', 'native']),
        download: object({ supported: boolean, native: boolean }, ['supported', 'native']),
      },
      ['upload', 'download'],
    ),
    customField: flags('get', 'create', 'update', 'delete'),
  },
  ['canonicalName', 'operations', 'events', 'bulk', 'customField'],
);

const expandedMetadata = object(
  {
    id: integer,
    name: string,
    key: string,
    image: string,
    displayOrder: integer,
    description: string,
    hub: string,
    active: boolean,
    beta: boolean,
    transformations: boolean,
    churros: boolean,
    normalizedPaging: boolean,
    swaggerValidated: boolean,
    cloneable: boolean,
    elementType: string,
    authenticationType: string,
    events: eventsSupport,
    discovery: flags('customFields', 'customObjects', 'endpointCustomFields', 'endpointCustomObjects'),
    bulk: flags('upload', 'download'),
    usage: object({ instanceCount: integer, customerCount: integer, traffic: integer }, ['instanceCount', 'customerCount', 'traffic']),
    api: object({ type: string, contentType: string }),
    resources: arrayOf(resourceMetadata),
  },
  [
    'id',
    'name',
    'key',
    'image',
    'displayOrder',
    'active',
    'beta',
    'description',
    'transformations',
    'elementType',
    'churros',
    'normalizedPaging',
    'swaggerValidated',
    'cloneable',
    'authenticationType',
    'events',
    'discovery',
    'bulk',
    'api',
    'resources',
    'hub',
  ],
);

export const openConnectorsContracts = {
  /** One instance: `POST/GET/PUT/PATCH /instances[/{id}]`. */
  instance,
  /** `GET /instances`. */
  instances: arrayOf(instance),
  /** `GET /elements/{keyOrId}`. */
  element,
  /** `GET /elements`. */
  elements: arrayOf(element),
  /** One entry of `GET /elements/{keyOrId}/configuration`. */
  elementConfiguration: configuration,
  /** `GET /elements/{keyOrId}/metadata`. */
  elementMetadata: object({ id: number, key: string, name: string, description: string, events: eventsSupport }, [
    'id',
    'key',
    'name',
    'description',
    'events',
  ]),
  /** `GET /elements/{keyOrId}/metadata?expand=true`. */
  elementMetadataExpanded: expandedMetadata,
  /** A transformation. */
  transformation: object(
    {
      objectName: string,
      vendorName: string,
      configuration: { type: 'array' },
      fields: arrayOf(object({ path: string, type: string, level: { enum: ['organization', 'account', 'instance'] } }, ['path', 'type', 'level'])),
    },
    ['vendorName', 'fields'],
  ),
  /** An object definition (common resource). */
  objectDefinition: object({ objectName: string, fields: { type: 'array' } }, ['fields']),
  /** One entry of the event log. */
  event: object(
    {
      id: string,
      eventDate: string,
      providerData: string,
      notifiedData: { type: 'array' },
      status: { enum: ['NEW', 'RECEIVED', 'DISPATCHED', 'CONSUMED', 'NOTIFIED'] },
    },
    ['id', 'eventDate', 'status', 'providerData'],
  ),
  /** An account. */
  account: object(
    {
      id: number,
      companyId: number,
      name: string,
      description: string,
      externalId: string,
      type: string,
      active: boolean,
      defaultAccount: boolean,
      createdDate: string,
      updatedDate: string,
    },
    ['id'],
  ),
  /** A user. */
  user: object(
    {
      id: number,
      email: string,
      firstName: string,
      lastName: string,
      fullName: string,
      password: string,
      createdDate: string,
      active: boolean,
      enabled: boolean,
      emailValid: boolean,
      accountExpired: boolean,
      accountLocked: boolean,
      credentialsExpired: boolean,
      accountNonExpired: boolean,
      accountNonLocked: boolean,
      credentialsNonExpired: boolean,
    },
    ['id', 'email', 'firstName', 'lastName'],
  ),
  /** One API call (`GET /usage`, `GET /usage/{id}`), in the snake_case form. */
  usage: object(
    {
      user_id: number,
      account_id: number,
      company_id: number,
      process_time: number,
      traffic_id: string,
      request_status: string,
      request_ip: string,
      element_key: string,
      request_uri: string,
      element_api: string,
      request_id: string,
      element_name: string,
      traffic_date: string,
      company_external_id: string,
      company_external_name: string,
    },
    [
      'user_id',
      'company_id',
      'process_time',
      'traffic_id',
      'request_status',
      'request_ip',
      'request_uri',
      'element_api',
      'request_id',
      'traffic_date',
      'company_external_id',
      'company_external_name',
    ],
  ),
} satisfies Record<string, Schema>;

export type ContractName = keyof typeof openConnectorsContracts;

/**
 * What an element (connector) declares about itself. The catalog, instance provisioning and the
 * hub router read it; the element's folder supplies it as `definition.ts` exporting `definition`.
 */
export type ConfigurationType = 'TEXTFIELD_32' | 'TEXTFIELD_64' | 'TEXTFIELD_128' | 'TEXTFIELD_1000' | 'TEXTAREA' | 'BOOLEAN' | 'PASSWORD';

export interface ConfigurationDefinition {
  key: string;
  name: string;
  description: string;
  type: ConfigurationType;
  required: boolean;
  /** Always a string on the wire, as Open Connectors sends it. */
  defaultValue?: string;
  /** Hidden from the console form (still accepted through the API). */
  hideFromConsole?: boolean;
  /** Element-internal: never shown, never required from users. */
  internal?: boolean;
}

export type Operation = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A resource as the catalog shows it. Never written by an element: the registry derives it from
 * the operations the element registers (`src/elements/resources.ts`), so nothing is advertised
 * that does not answer.
 */
export interface ResourceDefinition {
  /** Hub resource name, e.g. `incidents`. */
  name: string;
  /** The vendor's own name of the object, as transformations may give it. */
  vendorName?: string;
  /** The methods registered on the resource and on one of its items. */
  operations: Operation[];
  /** Whether events (polling and/or webhooks) are produced for this resource. */
  events: boolean;
  bulk: { upload: boolean; download: boolean };
  customFields: boolean;
}

export interface ElementDefinition {
  id: number;
  key: string;
  name: string;
  hookName: string;
  description: string;
  /** A short line for catalog cards. */
  shortDescription: string;
  image: string;
  hub: string;
  authentication: { type: 'basic' | 'oauth2' | 'oauth1' | 'custom' };
  protocolType: string;
  configDescription: string;
  signupURL: string;
  existingAccountDescription: string;
  configuration: ConfigurationDefinition[];
  /** Derived by the registry from the element's hub operations. */
  resources: ResourceDefinition[];
  events: {
    supported: boolean;
    methods: ('polling' | 'webhook')[];
    /** The default of `event.poller.configuration` (Open Connectors' poller document). */
    pollerConfiguration?: unknown;
    /** The default of `event.metadata`: which objects support polling and webhooks. */
    metadata?: unknown;
  };
  beta: boolean;
  displayOrder: number;
}

/** What an element writes about itself: everything but what the registry derives. */
export type ElementDescription = Omit<ElementDefinition, 'resources'>;

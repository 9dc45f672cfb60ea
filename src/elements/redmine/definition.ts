import type { ElementDescription } from '../element-definition.ts';

/** Open Connectors' poller document for Redmine: issues changed since the last poll, oldest first. */
export const defaultPollerConfiguration = {
  incidents: {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Open Connectors' own placeholder, which the poller fills in
    url: "/hubs/helpdesk/incidents?where=updated_on>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'&orderBy=updated_on asc",
    idField: 'id',
    pageSize: 100,
    pollDelay: 120,
    createdCheckTolerance: 1,
    datesConfiguration: {
      updatedDateField: 'updated_on',
      updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
      updatedDateTimezone: 'GMT',
      createdDateField: 'created_on',
      createdDateFormat: "yyyy-MM-dd'T'HH:mm:ss'Z'",
      createdDateTimezone: 'GMT',
    },
  },
};

/** Redmine has no webhooks: incidents are polled. */
export const defaultEventMetadata = { event: { polling: { incidents: {} } } };

/** Redmine over its REST API (JSON), through the helpdesk hub. */
export const definition: ElementDescription = {
  id: 6107,
  key: 'redmine',
  name: 'Redmine',
  hookName: 'Redmine',
  description:
    'Redmine (5.0 and later) over its REST API: incidents (issues), comments and history (journals), attachments, worklogs (time entries), trackers, statuses, priorities, projects, users and custom fields through the helpdesk hub.',
  shortDescription: 'Issues, journals and users of your own Redmine.',
  image: 'elements/provider_redmine.png',
  hub: 'helpdesk',
  authentication: { type: 'custom' },
  protocolType: 'rest',
  configDescription:
    "The address of your Redmine, and either a user's API key (My account → API access key) or that user's login and password. Redmine's REST API must be enabled (Administration → Settings → API).",
  signupURL: 'https://www.redmine.org/projects/redmine/wiki/RedmineInstall',
  existingAccountDescription: 'Give switchboard the address of your Redmine and the API key of the Redmine user it should act as.',
  beta: false,
  displayOrder: 2,
  events: { supported: true, methods: ['polling'], pollerConfiguration: defaultPollerConfiguration, metadata: defaultEventMetadata },
  configuration: [
    {
      key: 'siteAddress',
      name: 'Server URL',
      description: 'Base URL of your Redmine, e.g. https://redmine.example.com or https://example.com/redmine',
      type: 'TEXTFIELD_1000',
      required: true,
    },
    { key: 'apiKey', name: 'API key', description: "The Redmine user's API access key, sent as X-Redmine-API-Key", type: 'PASSWORD', required: false },
    {
      key: 'username',
      name: 'Login',
      description: 'Instead of an API key: the Redmine login of the user switchboard acts as',
      type: 'TEXTFIELD_128',
      required: false,
    },
    { key: 'password', name: 'Password', description: 'Password of that Redmine user', type: 'PASSWORD', required: false },
  ],
};

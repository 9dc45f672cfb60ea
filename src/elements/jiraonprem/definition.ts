import type { ElementDescription } from '../element-definition.ts';

/** The §6.4 poller default: incidents changed since the last poll, oldest first. */
export const defaultPollerConfiguration = {
  incidents: {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Open Connectors' own placeholder, which the poller fills in
    url: "/hubs/helpdesk/incidents?where=updated>='${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'&orderBy=updated asc",
    idField: 'id',
    pageSize: 100,
    pollDelay: 120,
    createdCheckTolerance: 1,
    datesConfiguration: {
      updatedDateField: 'fields.updated',
      updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
      updatedDateTimezone: 'GMT',
      createdDateField: 'fields.created',
      createdDateFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
      createdDateTimezone: 'GMT',
    },
  },
};

export const defaultEventMetadata = { event: { polling: { incidents: {} }, webhook: { incidents: {} } } };

/** Jira On Prem: Jira Server / Data Center over REST API v2, through the helpdesk hub. */
export const definition: ElementDescription = {
  id: 5993,
  key: 'jiraonprem',
  name: 'Jira On Prem',
  hookName: 'JiraOnPrem',
  description:
    'Jira Server and Data Center (on-premises), REST API v2: incidents (issues), comments, attachments, worklogs, transitions, users, projects and custom fields through the helpdesk hub.',
  shortDescription: 'Issues, comments and users of your own Jira Server or Data Center.',
  image: 'elements/provider_jiraonprem.png',
  hub: 'helpdesk',
  authentication: { type: 'basic' },
  protocolType: 'rest',
  configDescription:
    'Your Jira username and password (or a personal access token on Jira Data Center 8.14 and later) and the address of your Jira, including its context path such as /jira.',
  signupURL: 'https://www.atlassian.com/software/jira/data-center',
  existingAccountDescription: 'Give switchboard the address of your Jira and the credentials of the Jira user it should act as.',
  beta: false,
  displayOrder: 1,
  events: { supported: true, methods: ['polling', 'webhook'], pollerConfiguration: defaultPollerConfiguration, metadata: defaultEventMetadata },
  configuration: [
    { key: 'username', name: 'Username', description: 'Jira login name of the user switchboard acts as', type: 'TEXTFIELD_128', required: true },
    { key: 'password', name: 'Password', description: 'Password of that Jira user', type: 'PASSWORD', required: true },
    {
      key: 'personalAccessToken',
      name: 'Personal Access Token',
      description: 'Instead of username and password: a Jira personal access token (Jira Data Center 8.14+), sent as Bearer',
      type: 'PASSWORD',
      required: false,
    },
    {
      key: 'siteAddress',
      name: 'Server URL',
      description: 'Base URL of your Jira, e.g. https://jira.example.com or https://example.com/jira',
      type: 'TEXTFIELD_1000',
      required: true,
    },
    {
      key: 'ssl.ca.certificate',
      name: 'CA Certificate (PEM)',
      description: 'Only for a Jira with a self-signed or private certificate: the PEM of the certificate authority to trust',
      type: 'TEXTAREA',
      required: false,
    },
  ],
};

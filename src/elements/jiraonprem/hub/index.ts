import type { HubContext, HubImplementation } from '../../../hubs/hub-contract.ts';
import { incidentOperations } from './incidents.ts';
import { incidentPartOperations } from './incident-parts.ts';
import { attachmentOperations } from './attachments.ts';
import { userOperations } from './users.ts';
import { referenceOperations } from './reference.ts';
import { incidentMetadata, sampledMetadata, userMetadata } from './object-metadata.ts';
import { exportIssues } from './bulk-export.ts';
import { importIssues } from './bulk-import.ts';

/** Objects whose metadata is the fields of one sample Jira gives. */
const sampled = (jiraPath: string) => (ctx: HubContext) => sampledMetadata(ctx, jiraPath);

/** The helpdesk hub over Jira REST v2. */
export const helpdesk: HubImplementation = {
  hub: 'helpdesk',
  operations: [...incidentOperations, ...incidentPartOperations, ...attachmentOperations, ...userOperations, ...referenceOperations],
  resources: {
    incidents: { vendorName: 'issue', events: true, customFields: true },
  },
  bulkExport: { incidents: exportIssues },
  bulkImport: { incidents: importIssues },
  objects: new Map([
    ['incidents', incidentMetadata],
    ['incident-types', sampled('/rest/api/2/issuetype')],
    ['agents', userMetadata],
    ['contacts', userMetadata],
    ['priorities', sampled('/rest/api/2/priority')],
    ['statuses', sampled('/rest/api/2/status')],
    ['projects', sampled('/rest/api/2/project')],
    ['fields', sampled('/rest/api/2/field')],
  ]),
};

import type { HubImplementation } from '../../../hubs/hub-contract.ts';
import { attachmentOperations } from './attachments.ts';
import { exportIssues } from './bulk-export.ts';
import { issueOperations } from './issues.ts';
import { journalOperations } from './journals.ts';
import { issueMetadata, sampledMetadata, userMetadata } from './object-metadata.ts';
import { referenceOperations } from './reference.ts';
import { timeEntryOperations } from './time-entries.ts';
import { userOperations } from './users.ts';

/** The helpdesk hub over Redmine's REST API. */
export const helpdesk: HubImplementation = {
  hub: 'helpdesk',
  operations: [...issueOperations, ...journalOperations, ...attachmentOperations, ...timeEntryOperations, ...referenceOperations, ...userOperations],
  resources: {
    incidents: { vendorName: 'issue', events: true, customFields: true },
  },
  bulkExport: { incidents: exportIssues },
  objects: new Map([
    ['incidents', issueMetadata],
    ['incident-types', sampledMetadata('incident-types')],
    ['agents', userMetadata],
    ['contacts', userMetadata],
    ['priorities', sampledMetadata('priorities')],
    ['statuses', sampledMetadata('statuses')],
  ]),
};

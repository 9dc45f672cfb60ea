import type { HubImplementation } from '../../../hubs/hub-contract.ts';
import { incidentOperations } from './incidents.ts';
import { incidentPartOperations } from './incident-parts.ts';
import { attachmentOperations } from './attachments.ts';
import { userOperations } from './users.ts';
import { referenceOperations } from './reference.ts';
import { incidentMetadata, sampledMetadata } from './object-metadata.ts';

const SAMPLED: ReadonlyMap<string, string> = new Map([
  ['incident-types', '/rest/api/2/issuetype'],
  ['priorities', '/rest/api/2/priority'],
  ['statuses', '/rest/api/2/status'],
  ['projects', '/rest/api/2/project'],
  ['fields', '/rest/api/2/field'],
]);

/** The helpdesk hub over Jira REST v2. */
export const helpdesk: HubImplementation = {
  hub: 'helpdesk',
  objects: ['incidents', 'incident-types', 'agents', 'contacts', 'priorities', 'statuses', 'projects', 'fields', 'attachments', 'worklogs'],
  operations: [...incidentOperations, ...incidentPartOperations, ...attachmentOperations, ...userOperations, ...referenceOperations],
  async objectMetadata(name, ctx) {
    if (name === 'incidents') return incidentMetadata(ctx);
    const sampled = SAMPLED.get(name);
    if (sampled) return sampledMetadata(ctx, sampled);
    return undefined;
  },
};

import type { HubDefinition } from '../hub-catalog.ts';

/**
 * The helpdesk hub: incidents, their comments, attachments, history, worklogs and transitions,
 * the people (agents, contacts) and the reference data (priorities, statuses, incident types,
 * projects, fields) of help desk and issue tracking systems.
 *
 * An element of this hub implements any of these operations and no other: the paths, their
 * parameters and what each answers are the hub's, the vendor calls behind them the element's.
 * Every element is checked against this list when it is installed, and against the
 * conformance suite (`conformance.ts`) in the tests.
 */
export const helpdeskHub: HubDefinition = {
  id: 14,
  key: 'helpdesk',
  name: 'Help Desk',
  description: 'Incidents, comments, attachments, agents and contacts of help desk and issue tracking systems.',
  videoLink: '',
};

/**
 * `METHOD path` → what it takes and answers: a list (paged), one object, nothing, bytes, or one
 * object for a multipart upload (part `file`).
 */
export type HelpdeskAnswer = 'list' | 'object' | 'empty' | 'object-or-bytes' | 'upload';

const crud = (resource: string, item = ':id'): [string, HelpdeskAnswer][] => [
  [`GET ${resource}`, 'list'],
  [`POST ${resource}`, 'object'],
  [`GET ${resource}/${item}`, 'object'],
  [`PUT ${resource}/${item}`, 'object'],
  [`PATCH ${resource}/${item}`, 'object'],
  [`DELETE ${resource}/${item}`, 'empty'],
];

/** Every operation of the helpdesk hub, with the name of each path parameter. */
export const helpdeskOperations: ReadonlyMap<string, HelpdeskAnswer> = new Map<string, HelpdeskAnswer>([
  ...crud('incidents'),
  ...crud('incidents/:id/comments', ':commentId'),
  ['GET incidents/:id/attachments', 'list'],
  ['POST incidents/:id/attachments', 'upload'],
  ['GET attachments/:id', 'object-or-bytes'],
  ['DELETE attachments/:id', 'empty'],
  ['GET incidents/:id/history', 'list'],
  ['GET incidents/:id/history/:historyId', 'object'],
  ['POST incidents/:id/notifications', 'empty'],
  ['GET incidents/:id/properties', 'list'],
  ['GET incidents/:id/properties/:key', 'object'],
  ['PUT incidents/:id/properties/:key', 'object'],
  ['DELETE incidents/:id/properties/:key', 'empty'],
  ['GET incidents/:id/transitions', 'list'],
  ['POST incidents/:id/transitions', 'object'],
  ...crud('incidents/:id/worklogs', ':worklogId'),
  ['GET agents', 'list'],
  ['GET agents/:key', 'object'],
  ...crud('contacts', ':key'),
  ...crud('incident-types'),
  ['GET priorities', 'list'],
  ['GET priorities/:id', 'object'],
  ['GET statuses', 'list'],
  ['GET statuses/:id', 'object'],
  ...crud('projects'),
  ['GET fields', 'list'],
  ['POST fields', 'object'],
  ['GET ping', 'object'],
]);

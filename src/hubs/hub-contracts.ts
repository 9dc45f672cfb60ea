import type { HubDefinition } from './hub-catalog.ts';
import { helpdeskHub, helpdeskOperations, type HelpdeskAnswer } from './helpdesk/contract.ts';

export interface HubContract {
  definition: HubDefinition;
  /** `METHOD path` of every operation an element of this hub may implement. */
  operations: ReadonlyMap<string, HelpdeskAnswer>;
}

/** The hubs there are contracts for, by key. */
export const hubContracts: ReadonlyMap<string, HubContract> = new Map([['helpdesk', { definition: helpdeskHub, operations: helpdeskOperations }]]);

import { changesAnyOf, type ElementModule } from '../element-module.ts';
import { definition } from './definition.ts';
import { CREDENTIAL_KEYS, validateConfiguration } from './configuration.ts';
import { provision } from './provision.ts';
import { helpdesk } from './hub/index.ts';
import { jiraEvents } from './events.ts';

/** Jira On Prem: the catalog entry plus provisioning against Jira Server / Data Center. */
export const element: ElementModule = {
  definition,
  validateConfiguration,
  needsReprovision: changesAnyOf(CREDENTIAL_KEYS),
  provision,
  hub: helpdesk,
  events: jiraEvents,
};

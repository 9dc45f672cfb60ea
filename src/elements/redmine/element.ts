import { changesAnyOf, type ElementModule } from '../element-module.ts';
import { CREDENTIAL_KEYS, validateConfiguration } from './configuration.ts';
import { definition } from './definition.ts';
import { redmineEvents } from './events.ts';
import { helpdesk } from './hub/index.ts';
import { provision } from './provision.ts';

/** Redmine: the catalog entry plus provisioning against a Redmine server's REST API. */
export const element: ElementModule = {
  definition,
  validateConfiguration,
  needsReprovision: changesAnyOf(CREDENTIAL_KEYS),
  provision,
  hub: helpdesk,
  events: redmineEvents,
};

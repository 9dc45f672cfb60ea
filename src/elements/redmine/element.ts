import type { ElementModule } from '../element-module.ts';
import { CREDENTIAL_KEYS, validateConfiguration } from './configuration.ts';
import { definition } from './definition.ts';
import { redmineEvents } from './events.ts';
import { helpdesk } from './hub/index.ts';
import { provision } from './provision.ts';

/** Redmine: the catalog entry plus provisioning against a Redmine server's REST API. */
export const element: ElementModule = {
  definition,
  validateConfiguration,
  needsReprovision: (before, after) => CREDENTIAL_KEYS.some((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)),
  provision,
  hub: helpdesk,
  events: redmineEvents,
};

/** The hubs switchboard serves. A hub is a family of normalized resources; elements declare theirs. */
export interface HubDefinition {
  id: number;
  key: string;
  name: string;
  description: string;
  videoLink: string;
}

export const hubs: readonly HubDefinition[] = [
  {
    id: 14,
    key: 'helpdesk',
    name: 'Help Desk',
    description: 'Incidents, comments, attachments, agents and contacts of help desk and issue tracking systems.',
    videoLink: '',
  },
];

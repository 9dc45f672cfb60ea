/**
 * A hub: a family of normalized resources (`src/hubs/<key>/contract.ts`). The catalog lists the
 * hubs that at least one installed element serves.
 */
export interface HubDefinition {
  id: number;
  key: string;
  name: string;
  description: string;
  videoLink: string;
}

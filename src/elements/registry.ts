import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElementDefinition } from './element-definition.ts';
import type { HubDefinition } from '../hubs/hub-catalog.ts';
import type { ElementModule, InstalledElement } from './element-module.ts';
import { deriveResources } from './resources.ts';
import { hubContracts } from '../hubs/hub-contracts.ts';
import { platformConfiguration } from './platform-configuration.ts';

/** The catalog: every element found under `src/elements/<key>/element.ts`, by key and by id. */
export class ElementRegistry {
  readonly #byKey = new Map<string, InstalledElement>();
  readonly #byId = new Map<number, InstalledElement>();

  constructor(modules: readonly ElementModule[]) {
    for (const given of modules) {
      // The platform's own keys follow the element's, in every list of its configuration, and
      // its resources are what its operations serve.
      const m: InstalledElement = {
        ...given,
        definition: {
          ...given.definition,
          configuration: [...given.definition.configuration, ...platformConfiguration(given.definition, given.hub !== undefined)],
          resources: deriveResources(given.hub),
        },
      };
      const d = m.definition;
      checkHubContract(m);
      if (this.#byKey.has(d.key) || this.#byId.has(d.id)) throw new Error(`Duplicate element ${d.key} (${d.id})`);
      this.#byKey.set(d.key, m);
      this.#byId.set(d.id, m);
    }
  }

  /** The hubs the installed elements serve. */
  hubs(): HubDefinition[] {
    const keys = new Set(this.all().map((e) => e.hub));
    return [...hubContracts.values()].map((c) => c.definition).filter((h) => keys.has(h.key));
  }

  all(): ElementDefinition[] {
    return [...this.#byKey.values()].map((m) => m.definition).sort((a, b) => a.displayOrder - b.displayOrder || a.key.localeCompare(b.key));
  }

  /** `{keyOrId}` as in every element URL: a numeric id or a key. */
  find(keyOrId: string): ElementDefinition | undefined {
    return this.module(keyOrId)?.definition;
  }

  module(keyOrId: string): InstalledElement | undefined {
    return /^\d{1,12}$/.test(keyOrId) ? this.#byId.get(Number(keyOrId)) : this.#byKey.get(keyOrId);
  }
}

/**
 * An element serves its hub's operations and no other: an operation the hub's contract does not
 * have would be a route no client of the hub knows, and is refused when the element is installed.
 */
function checkHubContract(m: InstalledElement): void {
  if (!m.hub) return;
  const contract = hubContracts.get(m.definition.hub);
  if (!contract || m.hub.hub !== m.definition.hub)
    throw new Error(`Element ${m.definition.key} serves hub "${m.hub.hub}", which has no contract (src/hubs/<key>/contract.ts)`);
  for (const op of m.hub.operations) {
    const answer = contract.operations.get(`${op.method} ${op.path}`);
    if (answer === undefined) throw new Error(`Element ${m.definition.key} registers ${op.method} ${op.path}, which the ${m.definition.hub} hub does not have`);
    if ((answer === 'upload') !== (op.upload === true))
      throw new Error(
        `Element ${m.definition.key} registers ${op.method} ${op.path} ${op.upload ? 'as' : 'not as'} an upload, unlike the ${m.definition.hub} hub`,
      );
  }
}

/** Imports each element folder's `element.ts`, so adding a connector is adding a folder. */
export async function discoverElements(): Promise<ElementRegistry> {
  const root = dirname(fileURLToPath(import.meta.url));
  const modules: ElementModule[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'element.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    // A path relative to this file, with only the folder's name left open: the bundler of
    // bin/switchboard.js takes in every `./*/element.ts` it can match.
    const mod = (await import(`./${entry.name}/element.ts`)) as { element?: ElementModule };
    if (!mod.element) throw new Error(`${file} does not export an element`);
    modules.push(mod.element);
  }
  return new ElementRegistry(modules);
}

import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ElementDefinition } from './element-definition.ts';

/** The catalog: every element found under `src/elements/<key>/definition.ts`, by key and by id. */
export class ElementRegistry {
  readonly #byKey = new Map<string, ElementDefinition>();
  readonly #byId = new Map<number, ElementDefinition>();

  constructor(definitions: readonly ElementDefinition[]) {
    for (const d of definitions) {
      if (this.#byKey.has(d.key) || this.#byId.has(d.id)) throw new Error(`Duplicate element ${d.key} (${d.id})`);
      this.#byKey.set(d.key, d);
      this.#byId.set(d.id, d);
    }
  }

  all(): ElementDefinition[] {
    return [...this.#byKey.values()].sort((a, b) => a.displayOrder - b.displayOrder || a.key.localeCompare(b.key));
  }

  /** `{keyOrId}` as in every element URL: a numeric id or a key. */
  find(keyOrId: string): ElementDefinition | undefined {
    return /^\d{1,12}$/.test(keyOrId) ? this.#byId.get(Number(keyOrId)) : this.#byKey.get(keyOrId);
  }
}

/** Imports each element folder's `definition.ts`, so adding a connector is adding a folder. */
export async function discoverElements(root = dirname(fileURLToPath(import.meta.url))): Promise<ElementRegistry> {
  const definitions: ElementDefinition[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'definition.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { definition?: ElementDefinition };
    if (!mod.definition) throw new Error(`${file} does not export a definition`);
    definitions.push(mod.definition);
  }
  return new ElementRegistry(definitions);
}

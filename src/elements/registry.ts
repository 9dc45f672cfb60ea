import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ElementDefinition } from './element-definition.ts';
import type { ElementModule } from './element-module.ts';

/** The catalog: every element found under `src/elements/<key>/element.ts`, by key and by id. */
export class ElementRegistry {
  readonly #byKey = new Map<string, ElementModule>();
  readonly #byId = new Map<number, ElementModule>();

  constructor(modules: readonly ElementModule[]) {
    for (const m of modules) {
      const d = m.definition;
      if (this.#byKey.has(d.key) || this.#byId.has(d.id)) throw new Error(`Duplicate element ${d.key} (${d.id})`);
      this.#byKey.set(d.key, m);
      this.#byId.set(d.id, m);
    }
  }

  all(): ElementDefinition[] {
    return [...this.#byKey.values()].map((m) => m.definition).sort((a, b) => a.displayOrder - b.displayOrder || a.key.localeCompare(b.key));
  }

  /** `{keyOrId}` as in every element URL: a numeric id or a key. */
  find(keyOrId: string): ElementDefinition | undefined {
    return this.module(keyOrId)?.definition;
  }

  module(keyOrId: string): ElementModule | undefined {
    return /^\d{1,12}$/.test(keyOrId) ? this.#byId.get(Number(keyOrId)) : this.#byKey.get(keyOrId);
  }
}

/** Imports each element folder's `element.ts`, so adding a connector is adding a folder. */
export async function discoverElements(root = dirname(fileURLToPath(import.meta.url))): Promise<ElementRegistry> {
  const modules: ElementModule[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'element.ts');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { element?: ElementModule };
    if (!mod.element) throw new Error(`${file} does not export an element`);
    modules.push(mod.element);
  }
  return new ElementRegistry(modules);
}

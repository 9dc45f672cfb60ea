/** See bin/bundle.js. */
export function bundledEntry(options: { root: string; entry: string; cacheDir: string }): Promise<string | undefined>;
/** See bin/bundle.js. */
export function removeBundles(options: { root: string; cacheDir: string }): void;

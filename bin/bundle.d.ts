/** See bin/bundle.js. */
export function bundledEntry(options: { root: string; entry: string; cacheDir: string }): Promise<string | undefined>;

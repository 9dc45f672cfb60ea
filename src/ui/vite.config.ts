import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants } from 'node:zlib';

const OUT_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));
const TEXT = /\.(js|css|html|svg)$/;

/**
 * Writes a gzip and a brotli copy beside every text file of the build, once, so the server sends
 * them as they are (`preCompressed`) and spends no CPU per request.
 */
function precompress(): Plugin {
  return {
    name: 'switchboard-precompress',
    apply: 'build',
    async closeBundle() {
      const files = (await readdir(OUT_DIR, { recursive: true })).filter((f) => TEXT.test(f));
      await Promise.all(
        files.map(async (file) => {
          const path = join(OUT_DIR, file);
          const bytes = await readFile(path);
          await writeFile(`${path}.gz`, await promisify(gzip)(bytes, { level: 9 }));
          await writeFile(`${path}.br`, await promisify(brotliCompress)(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        }),
      );
    },
  };
}

/** The console: a static SPA built into dist/ui and served by the API server itself. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), precompress()],
  build: { outDir: OUT_DIR, emptyOutDir: true, sourcemap: false },
  logLevel: 'warn',
});

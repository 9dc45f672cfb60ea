import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

/** The console: a static SPA built into dist/ui and served by the API server itself. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)), emptyOutDir: true, sourcemap: false },
  logLevel: 'warn',
});

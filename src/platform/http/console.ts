import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CONSOLE_DIR = join(ROOT, 'dist/ui');
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Builds the console when it is missing, as `npm start` promises, exactly as `npm run build` does.
 * Vite runs in its own process with NODE_ENV=production: inside a process whose NODE_ENV says
 * otherwise (the test runner's "test"), it would build React's development bundle, twice the size
 * and running every effect twice.
 */
export async function ensureConsoleBuilt(log: (message: string) => void = () => undefined): Promise<boolean> {
  if (existsSync(join(CONSOLE_DIR, 'index.html'))) return true;
  let viteBin: string;
  try {
    viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  } catch {
    log('the web console is not built and Vite is not installed; run npm install && npm run build');
    return false;
  }
  log('building the web console (first start)…');
  await promisify(execFile)(process.execPath, [viteBin, 'build', '--config', join(ROOT, 'src/ui/vite.config.ts'), '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    timeout: 300_000,
  });
  return existsSync(join(CONSOLE_DIR, 'index.html'));
}

/**
 * The console's own page paths. A browser that opens one (a bookmark, a link, a reload of a page
 * whose address was shared without its `#`) gets the console, which moves to the page's hash route.
 */
const CONSOLE_PAGES = [
  '/catalog',
  '/authenticate/:key',
  '/instances',
  '/instances/:id',
  '/instances/:id/:view',
  '/usage',
  '/usage/:id',
  '/bulk/:id',
  '/jobs',
  '/api',
];

/**
 * Serves the console at `/`: the built files and the console's page paths only (no wildcard
 * route, so unknown paths still get the API's 404 body). Files are sent pre-compressed (gzip or
 * brotli, as the build wrote them) to a browser that accepts it. The page may run only the
 * bundle's own files: no inline script, no other origin, no framing.
 */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) return;
  await app.register(fastifyStatic, {
    root: CONSOLE_DIR,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    preCompressed: true,
    setHeaders(res, sentPath) {
      // A pre-compressed copy (`index.html.br`) is sent under its original's headers.
      const path = sentPath.replace(/\.(br|gz)$/, '');
      if (path.endsWith('.html')) {
        res.header('Content-Security-Policy', CONSOLE_CSP);
        res.header('X-Frame-Options', 'DENY');
        res.header('Cache-Control', 'no-cache');
      } else {
        // Only the hashed bundle files may be kept for ever; the favicon keeps its name.
        res.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=86400');
      }
    },
  });
  // Hidden from the API document here, as @fastify/static hides its own routes: the route table
  // records a route before the scope's hooks see it.
  for (const page of CONSOLE_PAGES) app.get(page, { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
}

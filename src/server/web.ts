/**
 * The web app (demo/, built into dist/demo/ by `npm run build`) on the API's origin. Files are served
 * from that one folder only (a request path is matched against a strict pattern, and its real path,
 * links resolved, must lie inside the folder); any other GET that is not an API route gets index.html, so a page's URL can be linked and
 * reloaded. Every answer carries the headers the app relies on: cross-origin isolation (COOP + COEP,
 * which worker threads with shared memory need) and a strict Content-Security-Policy (scripts and
 * workers from this origin only; WebAssembly compiled from bytes the page holds).
 *
 * @module
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { packageInfo } from '../package-info.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer of this origin (the API's included). */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json; charset=utf-8',
};

/** A request path the app may hold: plain segments, no dot segments, no encoded bytes. */
const FILE_PATH = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}\/){0,3}[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** The built app shipped with this package (dist/demo/), or null when it has not been built. */
export function packagedWebDir(): string | null {
  const pkg = packageInfo();
  const dir = pkg ? join(pkg.root, 'dist', 'demo') : null;
  return dir && existsSync(join(dir, 'index.html')) ? dir : null;
}

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(k)) c.header(k, v);
};

/**
 * Serves the app from `dir` for GET and HEAD outside /api/; with no app, `/` answers where the API is
 * and why there is no page.
 */
export function mountWebApp<E extends Env>(app: Hono<E>, dir: string | null): void {
  if (!dir) {
    app.get('/', (c) => c.json({ name: 'capseal', web_app: 'not built: run `npm run build` in the package to build dist/demo/', api: '/api/openapi.json', leaderboard: '/api/leaderboard', health: '/api/health' }));
    return;
  }
  const root = realpathSync(resolve(dir));
  // Read each time: a rebuild replaces it (and the hashed files it names) under a running server.
  const indexHtml = (): Promise<Uint8Array> => readFile(join(root, 'index.html'));
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) return next();
    if (FILE_PATH.test(path) && extname(path) !== '') {
      // The real path, links resolved, must still be inside the folder.
      const real = await realpath(resolve(root, `.${path}`)).catch(() => null);
      const file = real?.startsWith(root + sep) ? await stat(real).then((s) => (s.isFile() ? real : null), () => null) : null;
      if (!file) return c.json({ error: { status: 404, code: 'not_found', message: `no file ${path}` } }, 404);
      // Hashed bundle files never change; the rest (build-info.json) is checked each time.
      const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return c.body((await readFile(file)) as Uint8Array<ArrayBuffer>, 200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache });
    }
    return c.body((await indexHtml()) as Uint8Array<ArrayBuffer>, 200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' });
  });
}

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import { problemResponse } from './problem.js';

// The web application (web/, built by Vite into web/dist) served from the API's own origin at /app/. It is a static
// mount, outside the API contract: it carries no data, and every screen talks to the public API like any client.

/** Hono paths this module registers; the spec/route sync test ignores exactly these. */
export const WEB_APP_ROUTES = ['/', '/app', '/app/*'] as const;

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Vite writes content-hashed files under assets/: their name changes with their content, so they never go stale. */
const HASHED_PREFIX = 'assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load only its own scripts, styles and images and talk only to its own origin (the API); no framing.
 * 'wasm-unsafe-eval' lets the image viewer's codecs compile WebAssembly without allowing eval of strings.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function webAppRoutes(app: Hono<AppEnv>, distDir: string = DEFAULT_WEB_DIST): void {
  const root = path.resolve(distDir);
  app.get('/', (c) => c.redirect('/app/', 302));
  app.get('/app', (c) => c.redirect('/app/', 301));
  app.get('/app/*', async (c) => {
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(c.req.url).pathname.slice('/app/'.length));
    } catch {
      return notFound(c, 'malformed path');
    }
    const file = path.resolve(root, rel);
    // A path that climbs out of the build folder is a not-found, never a read elsewhere on disk.
    if (file !== root && !file.startsWith(root + path.sep)) return notFound(c, 'the path leads outside the web application');
    if (rel !== '' && (await isFile(file))) return sendFile(c, file, rel.startsWith(HASHED_PREFIX) ? IMMUTABLE : 'no-cache');
    // A missing file with an extension (a stale asset link) is a 404; any other path is a client-side route and
    // gets index.html, whose router draws the screen.
    if (path.extname(rel) !== '') return notFound(c, `no such file in the web application: /app/${rel}`);
    const index = path.join(root, 'index.html');
    if (!(await isFile(index))) {
      return notFound(c, `the web application is not built (no ${index}); run: npm --prefix web ci && npm --prefix web run build`);
    }
    return sendFile(c, index, 'no-cache');
  });
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function sendFile(c: Context<AppEnv>, file: string, cacheControl: string): Promise<Response> {
  const body = await readFile(file);
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'content-type': type, 'cache-control': cacheControl };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = WEB_APP_CSP;
    headers['referrer-policy'] = 'no-referrer';
  }
  return c.body(body, 200, headers);
}

function notFound(c: Context<AppEnv>, detail: string): Response {
  return problemResponse(c, { type: 'about:blank', title: 'Not found', status: 404, detail, instance: c.get('scope')?.requestId });
}

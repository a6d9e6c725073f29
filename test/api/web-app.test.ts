// The platform serves the built web application at /app/ from its own origin: files from the build folder, the
// index for client-side routes, long caching only for content-hashed assets, problem+json when something is missing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { WEB_APP_CSP } from '../../src/api/web-app.js';
import { type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';

describe('web application mount', () => {
  let p: TestPlatform;
  let dist: string;
  let built: ReturnType<typeof createApp>['app'];
  let unbuilt: ReturnType<typeof createApp>['app'];
  const INDEX = '<!doctype html><title>Corelab</title><script type="module" src="/app/assets/index-AbC123.js"></script>';

  beforeAll(async () => {
    p = await createTestPlatform();
    dist = mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), INDEX);
    writeFileSync(path.join(dist, 'assets', 'index-AbC123.js'), 'console.log("app")');
    writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(dist, '..', 'outside-web-dist.txt'), 'secret');
    const health = async () => ({ status: 'ok' as const, version: 't', database: { ok: true, dialect: 'sqlite' }, blobStore: { ok: true }, workerPool: { ok: true, threads: 1, queued: 0 } });
    built = createApp({ ctx: p.ctx, health, webDist: dist }).app;
    unbuilt = createApp({ ctx: p.ctx, health, webDist: path.join(dist, 'nowhere') }).app;
  });
  afterAll(async () => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(path.join(dist, '..', 'outside-web-dist.txt'), { force: true });
    await p?.dispose();
  });

  it.each(['/app/', '/app/login', '/app/trials/abc/subjects/def', '/app/trials/abc/audit'])('answers %s with index.html (client-side route), not cached long', async (url) => {
    const res = await built.request(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    expect(await res.text()).toBe(INDEX);
  });

  it('serves hashed assets with a year of immutable caching and other files revalidated', async () => {
    const js = await built.request('/app/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("app")');
    const svg = await built.request('/app/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
  });

  it.each([
    ['a missing asset', '/app/assets/index-Gone99.js', /no such file in the web application/],
    ['a path climbing out of the build folder (to a file that exists)', '/app/..%2Foutside-web-dist.txt', /outside the web application/],
    ['a malformed escape', '/app/%E0%A4%A', /malformed path/],
  ])('answers %s with problem+json 404', async (_what, url, detail) => {
    const res = await built.request(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
  });

  it('says plainly when the application is not built', async () => {
    const res = await unbuilt.request('/app/trials/x');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/the web application is not built .* npm --prefix web run build/);
  });

  it.each([
    ['/', 302],
    ['/app', 301],
  ])('redirects %s to /app/', async (url, status) => {
    const res = await built.request(url);
    expect(res.status).toBe(status);
    expect(res.headers.get('location')).toBe('/app/');
  });

  it('leaves the API untouched next to the mount', async () => {
    const res = await built.request('/health');
    expect(res.status).toBe(200);
    expect((await built.request('/nope')).headers.get('content-type')).toBe('application/problem+json');
  });
});

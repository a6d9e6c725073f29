// The contract and the app agree: a route in the app and not in openapi.yaml fails, and the reverse.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_APP_ROUTES } from '../../src/api/web-app.js';
import { type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';

describe('openapi.yaml and the app', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(async () => p?.dispose());

  it('registers exactly the operations of the spec', () => {
    const spec = [...p.registry.contract.operations.keys()].sort();
    expect([...p.registry.registered].sort()).toEqual(spec);
  });

  it('has no Hono route outside the spec (checked on the router itself, not only the registry)', () => {
    const toSpec = (route: string) => route.replace(/:(\w+)/g, '{$1}');
    // The web application's static mount (/app/*, and the redirects of / and /app to it) serves built files, not
    // API operations: it is outside the contract on purpose, and only exactly those paths are ignored.
    const staticMount = new Set<string>(WEB_APP_ROUTES);
    const honoRoutes = p.app.routes
      .filter((r) => r.method !== 'ALL')
      .filter((r) => !staticMount.has(r.path))
      .map((r) => `${r.method.toLowerCase()} ${toSpec(r.path)}`);
    const spec = new Set(p.registry.contract.operations.keys());
    expect(honoRoutes.filter((r) => !spec.has(r))).toEqual([]);
    expect([...spec].filter((s) => !honoRoutes.includes(s))).toEqual([]);
  });

  it('serves the spec it validates against', async () => {
    const res = await p.request('GET', '/openapi.yaml');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(readFileSync(path.resolve('openapi.yaml'), 'utf8'));
  });

  it('committed generated types match openapi.yaml (npm run gen:api)', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'gen-')), 'openapi.d.ts');
    execFileSync(process.execPath, [path.resolve('node_modules/openapi-typescript/bin/cli.js'), 'openapi.yaml', '-o', out], { stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.resolve('src/api/openapi.d.ts'), 'utf8'));
  });

  it('validates requests against the spec with a precise problem+json', async () => {
    const res = await p.request('POST', '/auth/login', { body: { username: 'a' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body.detail).toContain('/body/password');
    expect(body.errors).toEqual([{ pointer: '/body/password', detail: expect.any(String) }]);
    const notJson = await p.app.request('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { detail: string }).detail).toBe('request body is not valid JSON');
  });

  it('answers unknown routes with problem+json 404', async () => {
    const res = await p.request('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

// Browser tests drive Debian's chromium with playwright-core, which is a dependency of the web package
// (web/node_modules), not of the platform: it is loaded from there at run time. The few Playwright calls the tests
// use are typed here structurally, so the platform's type check does not depend on the web package being installed.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { expect } from 'vitest';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const WEB_DIST_INDEX = path.join(repoRoot, 'web/dist/index.html');
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts/e2e');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Locator {
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  check(): Promise<void>;
  selectOption(value: string): Promise<string[]>;
  innerText(opts?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  getAttribute(name: string): Promise<string | null>;
  waitFor(opts?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  /** file payloads, or the path of a folder for an <input webkitdirectory> */
  setInputFiles(files: Array<{ name: string; mimeType: string; buffer: Buffer }> | string): Promise<void>;
  press(key: string): Promise<void>;
  focus(): Promise<void>;
  hover(): Promise<void>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  evaluate<R>(fn: (el: any) => R): Promise<R>;
  evaluate<R, A>(fn: (el: any, arg: A) => R, arg: A): Promise<R>;
  locator(selector: string): Locator;
  getByRole(role: string, opts?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByLabel(text: string | RegExp, opts?: { exact?: boolean }): Locator;
  getByText(text: string | RegExp, opts?: { exact?: boolean }): Locator;
  filter(opts: { hasText?: string | RegExp }): Locator;
  getByTestId(id: string): Locator;
  first(): Locator;
  last(): Locator;
  nth(i: number): Locator;
}

export interface Response {
  url(): string;
  status(): number;
  headers(): Record<string, string>;
  text(): Promise<string>;
  request(): { method(): string };
}

export interface Download {
  suggestedFilename(): string;
  /** where the browser saved it (a temporary file, removed with the context) */
  path(): Promise<string | null>;
}

export interface Route {
  abort(code?: string): Promise<void>;
  continue(): Promise<void>;
  fulfill(opts: { status: number; headers?: Record<string, string>; body?: string | Buffer }): Promise<void>;
  request(): { method(): string; url(): string };
}

export interface Page extends Pick<Locator, 'locator' | 'getByRole' | 'getByLabel' | 'getByText' | 'getByTestId'> {
  goto(url: string): Promise<unknown>;
  url(): string;
  title(): Promise<string>;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<Buffer>;
  on(event: 'response', fn: (r: Response) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  on(event: 'console', fn: (m: { type(): string; text(): string; location(): { url: string } }) => void): void;
  on(event: 'download', fn: (d: Download) => void): void;
  evaluate<R>(fn: () => R): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  route(url: string | RegExp, handler: (route: Route) => unknown): Promise<void>;
  unroute(url: string | RegExp): Promise<void>;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { move(x: number, y: number, opts?: { steps?: number }): Promise<void>; down(): Promise<void>; up(): Promise<void>; click(x: number, y: number): Promise<void>; wheel(dx: number, dy: number): Promise<void> };
  reload(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(opts: { viewport: { width: number; height: number }; baseURL?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: { launch(opts: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser> };
}

/** The chromium binary: CHROMIUM_PATH, else Debian's. */
export type AppServer = ReturnType<typeof serve>;

/** Serves a test platform's app (API and web app) on a random loopback port, as `corelab serve` would. */
export async function listenOnLoopback(app: { fetch: Parameters<typeof serve>[0]['fetch'] }): Promise<{ server: AppServer; origin: string }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export function browserTestsUnavailable(): string | null {
  if (!existsSync(chromiumPath())) return `no chromium at ${chromiumPath()} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(path.join(repoRoot, 'web/node_modules/playwright-core'))) return 'web/node_modules/playwright-core is missing (npm --prefix web ci)';
  if (!existsSync(WEB_DIST_INDEX)) return 'the web application is not built (npm --prefix web run build)';
  return null;
}

export async function launchChromium(): Promise<Browser> {
  const req = createRequire(path.join(repoRoot, 'web/package.json'));
  const pw = req('playwright-core') as PlaywrightCore;
  return pw.chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}

/** Waits until the locator's visible text matches (what the user sees), failing with what was on screen instead. */
export async function expectText(loc: Locator, expected: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await loc.innerText({ timeout: 1000 }).catch((e: Error) => `<${e.message.split('\n')[0]}>`);
    if (expected.test(last)) return last;
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last, `text on screen`).toMatch(expected);
  return last;
}

/** Waits until the locator matches `n` elements. */
export async function expectCount(loc: Locator, n: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < until) {
    last = await loc.count();
    if (last === n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last, 'number of matching elements').toBe(n);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Every API response a page received, with its JSON body when it had one (for the blinding checks). */
export interface Received {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export function recordResponses(page: Page, origin: string): { received: Received[]; settled: () => Promise<void> } {
  const received: Received[] = [];
  const pending: Array<Promise<void>> = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.origin !== origin || url.pathname.startsWith('/app/')) return;
    pending.push(
      r.text().then(
        (text): void => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON: kept as text */
          }
          received.push({ method: r.request().method(), path: url.pathname + url.search, status: r.status(), body });
        },
        () => void received.push({ method: r.request().method(), path: url.pathname + url.search, status: r.status(), body: null }),
      ),
    );
  });
  return { received, settled: async () => void (await Promise.all(pending)) };
}

/** Every key anywhere in a JSON value, with the path to it. */
export function keysOf(value: unknown, at = '$'): Array<{ key: string; path: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOf(v, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ key: k, path: `${at}.${k}` }, ...keysOf(v, `${at}.${k}`)]);
  }
  return [];
}

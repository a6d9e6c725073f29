import { useEffect, useState } from 'preact/hooks';

// Client-side routing under /app/ with the History API: the platform answers every /app/ path without a file
// extension with index.html (src/api/web-app.ts), so a reload or a shared link lands on the same screen.

export const BASE = '/app';

/** The application path (without /app) of the current location, e.g. '/trials/abc/qc'. */
export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === '' ? '/' : p;
}

const listeners = new Set<() => void>();
let navigated = false;
window.addEventListener('popstate', () => {
  navigated = true;
  listeners.forEach((fn) => fn());
});

/**
 * Whether the screen on show was reached by navigating inside the application. On a fresh page load the browser's
 * own focus order applies (the first Tab reaches the skip link); after an in-app navigation the new screen's
 * heading takes the focus, as a page load would have announced it.
 */
export const hasNavigated = (): boolean => navigated;

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  navigated = true;
  const url = BASE + to;
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((fn) => fn());
}

/** Re-renders on every navigation; returns the application path and query. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [href, setHref] = useState(location.pathname + location.search);
  useEffect(() => {
    const fn = () => setHref(location.pathname + location.search);
    listeners.add(fn);
    // A child's effect may have navigated before this one subscribed (effects run children first): catch up.
    fn();
    return () => void listeners.delete(fn);
  }, []);
  void href;
  return { path: currentPath(), search: new URLSearchParams(location.search) };
}

/** Matches '/trials/:trialId/qc' against a path; returns the decoded parameters or null. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}

/** Builds an application path from segments, escaping each (ids never break the path). */
export const pathOf = (...segments: string[]): string => '/' + segments.map(encodeURIComponent).join('/');

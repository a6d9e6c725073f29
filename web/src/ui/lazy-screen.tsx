import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Loading } from './feedback.js';

/**
 * A screen whose code is fetched when it is first opened: the charts (chart.js) are only downloaded by the
 * core-lab staff who open reader statistics, not by every reader at login.
 */
export function LazyScreen<P extends object>(props: { load: () => Promise<ComponentType<P>>; props: P; what: string }) {
  // Keyed by what it loads: going from one lazy screen to another (same place in the tree) loads the new one
  // instead of keeping the screen already loaded.
  return <LazyLoaded key={props.what} {...props} />;
}

function LazyLoaded<P extends object>({ load, props, what }: { load: () => Promise<ComponentType<P>>; props: P; what: string }) {
  const [screen, setScreen] = useState<{ C: ComponentType<P> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (C) => live && setScreen({ C }),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, []);
  if (error) return <ErrorBanner error={error} prefix="This screen could not be loaded" />;
  if (!screen) return <Loading what={what} />;
  return <screen.C {...props} />;
}

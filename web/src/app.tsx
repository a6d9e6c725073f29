import { useEffect, useState } from 'preact/hooks';
import { type Caller, mayCallAll } from './api/access.js';
import { api, must } from './api/client.js';
import { matchRoute, navigate, pathOf, useLocation } from './router.js';
import { HomeScreen } from './screens/home.js';
import { LoginScreen } from './screens/login.js';
import { GLOBAL_SCREENS, TRIAL_SCREENS, globalScreensFor, trialScreensFor } from './screens/routes.js';
import { TrialOverviewScreen } from './screens/trial-overview.js';
import { endSession, getSession, rolesOn, setIdentity, subscribeSession } from './session/session-store.js';
import { ErrorBanner, Loading } from './ui/feedback.js';
import { Link } from './ui/link.js';
import { Page } from './ui/page.js';

function useSession() {
  const [, tick] = useState(0);
  useEffect(() => subscribeSession(() => tick((n) => n + 1)), []);
  return getSession();
}

export function App() {
  const session = useSession();
  const { path, search } = useLocation();
  const [meError, setMeError] = useState<unknown>(null);

  // Who the user is and their roles per trial, once per session.
  useEffect(() => {
    if (!session.token || session.user) return;
    setMeError(null);
    must(api.GET('/me')).then((me) => setIdentity(me.user, me.trials), setMeError);
  }, [session.token, session.user]);

  if (!session.token) {
    if (path !== '/login') return <Redirect to={`/login${path === '/' ? '' : `?next=${encodeURIComponent(path)}`}`} />;
    return <LoginScreen next={search.get('next')} />;
  }
  if (path === '/login') return <Redirect to="/" />;
  if (!session.user) return <main id="main">{meError ? <ErrorBanner error={meError} /> : <Loading what="your account" />}</main>;
  return <Shell path={path} />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell({ path }: { path: string }) {
  const session = getSession();
  const user = session.user!;
  const trialId = matchRoute('/trials/:trialId', path.split('/').slice(0, 3).join('/'))?.trialId ?? null;
  const caller: Caller = { isAdmin: user.isAdmin, roles: trialId ? rolesOn(trialId) : [] };
  const trialCode = trialId ? session.trials.find((t) => t.trialId === trialId)?.code : undefined;

  const logout = async () => {
    await api.POST('/auth/logout').catch(() => undefined);
    endSession('You have logged out.');
  };

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="topbar">
        <Link to="/" class="brand">
          Corelab
        </Link>
        {globalScreensFor({ isAdmin: user.isAdmin, roles: [] }).length > 0 ? (
          <nav class="topnav" aria-label="Administration">
            {globalScreensFor({ isAdmin: user.isAdmin, roles: [] }).map((s) => (
              <Link key={s.pattern} to={s.pattern} aria-current={path === s.pattern ? 'page' : undefined}>
                {s.nav}
              </Link>
            ))}
          </nav>
        ) : null}
        <span class="who">
          {user.displayName}
          {user.isAdmin ? ' · administrator' : ''}
        </span>
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      {trialId ? (
        <nav class="sidenav" aria-label="Trial">
          <p class="sidenav-title">
            <Link to={pathOf('trials', trialId)} aria-current={path === pathOf('trials', trialId) ? 'page' : undefined}>
              {trialCode ?? 'Trial'}
            </Link>
          </p>
          <p class="muted small">Roles: {caller.roles.length ? caller.roles.join(', ') : user.isAdmin ? 'administrator' : 'none'}</p>
          <ul>
            {trialScreensFor(caller).map((s) => {
              const to = s.pattern.replace(':trialId', encodeURIComponent(trialId));
              return (
                <li key={s.pattern}>
                  <Link to={to} aria-current={path === to ? 'page' : path.startsWith(to + '/') ? 'location' : undefined}>
                    {s.nav}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      ) : null}
      <main id="main" class="main" tabIndex={-1}>
        <Screen path={path} caller={caller} />
      </main>
    </div>
  );
}

function Screen({ path, caller }: { path: string; caller: Caller }) {
  if (path === '/') return <HomeScreen />;
  for (const s of GLOBAL_SCREENS) {
    const params = matchRoute(s.pattern, path);
    if (!params) continue;
    if (!mayCallAll(s.needs, caller)) {
      return (
        <Page title="Not available for your role">
          <p>
            This screen is for administrators. <Link to="/">Go to your trials</Link>
          </p>
        </Page>
      );
    }
    return s.render(params);
  }
  const overview = matchRoute('/trials/:trialId', path);
  if (overview) return <TrialOverviewScreen trialId={overview.trialId} caller={caller} />;
  for (const s of TRIAL_SCREENS) {
    const params = matchRoute(s.pattern, path);
    if (!params) continue;
    if (!mayCallAll(s.needs, caller)) {
      return (
        <Page title="Not available for your role">
          <p>
            This screen is not available with your roles on this trial ({caller.roles.join(', ') || 'none'}).{' '}
            <Link to={pathOf('trials', params.trialId)}>Back to the trial</Link>
          </p>
        </Page>
      );
    }
    return s.render(params, caller);
  }
  return (
    <Page title="Page not found">
      <p>
        There is no screen at this address. <Link to="/">Go to your trials</Link>
      </p>
    </Page>
  );
}

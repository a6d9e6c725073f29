import { useState } from 'preact/hooks';
import { api, must } from '../api/client.js';
import { navigate } from '../router.js';
import { getSession, startSession } from '../session/session-store.js';
import { ErrorBanner, Notice } from '../ui/feedback.js';
import { Page } from '../ui/page.js';

export function LoginScreen({ next }: { next: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const notice = getSession().notice;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await must(api.POST('/auth/login', { body: { username, password } }));
      setPassword('');
      startSession(res.token);
      // Only an application path is followed after login (never another origin).
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login">
      <Page title="Log in to Corelab">
        {notice ? <Notice>{notice}</Notice> : null}
        <form onSubmit={submit} class="form narrow" aria-describedby={error ? 'login-error' : undefined}>
          <label>
            Username
            <input name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
          <div id="login-error">
            <ErrorBanner error={error} prefix="Login failed" />
          </div>
        </form>
      </Page>
    </div>
  );
}

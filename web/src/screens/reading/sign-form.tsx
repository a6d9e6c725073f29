import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { getSession } from '../../session/session-store.js';
import { ErrorBanner } from '../../ui/feedback.js';

/**
 * An electronic signature (21 CFR 11.200): the password is asked again for every signature, and the screen says
 * what the signature means and whose printed name it will carry before the user signs (§11.50). The server
 * records the time (UTC) and returns the manifestation, which the screen shows after signing.
 */
export function SignForm(props: {
  legend: string;
  /** the statement the signer makes, e.g. "I authored this RECIST 1.1 read" */
  statement: string;
  meaning: 'authored' | 'adjudicated' | 'approved';
  button: string;
  disabled?: boolean;
  disabledWhy?: string;
  onSign: (password: string) => Promise<void>;
  children?: ComponentChildren;
}) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = getSession().user?.displayName ?? '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSign(password);
      setPassword('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form sign-form" onSubmit={submit} data-testid="sign-form">
      <fieldset>
        <legend>{props.legend}</legend>
        {props.children}
        <p class="statement">
          “{props.statement}” <span class="muted">(meaning: {props.meaning})</span>
        </p>
        <p class="small">
          Signing as <strong>{name}</strong>. The server records the date and time in UTC.
        </p>
        <label>
          Password (asked for every signature)
          <input type="password" autoComplete="current-password" required maxLength={256} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {props.disabled && props.disabledWhy ? <p class="small muted">{props.disabledWhy}</p> : null}
        <button type="submit" class="primary" disabled={busy || !password || props.disabled}>
          {busy ? 'Signing…' : props.button}
        </button>
        <ErrorBanner error={error} prefix="Not signed" />
      </fieldset>
    </form>
  );
}

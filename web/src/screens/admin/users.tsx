import { useEffect, useState } from 'preact/hooks';
import { type Schemas, api, must } from '../../api/client.js';
import { fieldProblems } from '../../api/field-problems.js';
import { getSession } from '../../session/session-store.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Page } from '../../ui/page.js';
import { ReasonForm } from '../../ui/reason-form.js';
import { TextField } from '../../ui/text-field.js';
import { useAsync } from '../../ui/use-async.js';

// User accounts (administrators): create one (the server's password policy decides, and its reasons are shown
// beside the password), verify a user's identity (21 CFR 11.100: by another administrator; it enables signing),
// reset a password, disable an account. Each of the last three is recorded with the reason asked for here.

type User = Schemas['User'];
type Action = 'verify' | 'reset' | 'disable';

const PASSWORD_HINT =
  "The server's password policy applies: a minimum length (12 characters unless configured otherwise), at least 5 different characters, not containing the username or a common password.";

export function UsersScreen() {
  const me = getSession().user!;
  const users = useAsync(() => must(api.GET('/users')), []);
  const [open, setOpen] = useState<{ action: Action; user: User } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The form had the focus. After a change it goes to the notice that reports it (the row's buttons change with
  // the reload); after Cancel or Escape, back to the button that opened the form.
  const [returnFocus, setReturnFocus] = useState<string | null>(null);
  useEffect(() => {
    if (!returnFocus || open) return;
    document.getElementById(returnFocus)?.focus();
    setReturnFocus(null);
  }, [returnFocus, open]);

  const close = (message: string | null) => {
    if (open) setReturnFocus(message ? 'users-notice' : buttonId(open.action, open.user));
    if (message) setNotice(message);
    setOpen(null);
    if (message) users.reload();
  };

  return (
    <Page title="Users">
      <CreateUserForm
        onCreated={(u) => {
          setNotice(`Created the account ${u.username} (${u.displayName}). Another administrator must verify their identity before they can sign.`);
          users.reload();
        }}
      />
      <h2 id="accounts-h">Accounts</h2>
      {notice ? (
        <p id="users-notice" class="banner banner-info" role="status" tabIndex={-1}>
          {notice}
        </p>
      ) : null}
      <ErrorBanner error={users.error} />
      {users.loading && !users.data ? <Loading what="accounts" /> : null}
      {users.data ? (
        <table class="grid" aria-labelledby="accounts-h" data-testid="users">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Printed name</th>
              <th scope="col">Email</th>
              <th scope="col">Administrator</th>
              <th scope="col">Status</th>
              <th scope="col">Identity</th>
              <th scope="col">Locked until</th>
              <th scope="col">Created</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <UserRows key={u.id} u={u} me={me} open={open?.user.id === u.id ? open.action : null} onOpen={(action) => setOpen({ action, user: u })} onClose={close} />
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

const buttonId = (action: Action, u: User) => `${action}-${u.id}`;

function UserRows({ u, me, open, onOpen, onClose }: { u: User; me: User; open: Action | null; onOpen: (a: Action) => void; onClose: (message: string | null) => void }) {
  const self = u.id === me.id;
  const active = u.status === 'active';
  const button = (action: Action, label: string, name: string) => (
    <button type="button" id={buttonId(action, u)} aria-expanded={open === action} onClick={() => onOpen(action)} aria-label={name}>
      {label}
    </button>
  );
  return (
    <>
      <tr data-user={u.username}>
        <th scope="row">{u.username}</th>
        <td>{u.displayName}</td>
        <td>{u.email ?? '—'}</td>
        <td>{u.isAdmin ? 'yes' : 'no'}</td>
        <td>
          <StateBadge value={u.status} />
        </td>
        <td>{u.identityVerified ? <StateBadge value="verified" /> : <StateBadge value="not_verified" />}</td>
        <td>{u.lockedUntil ? formatTime(u.lockedUntil) : '—'}</td>
        <td>{formatTime(u.createdAt)}</td>
        <td class="actions">
          {active && !u.identityVerified && !self ? button('verify', 'Verify identity', `Verify identity of ${u.username}`) : null}
          {active && !u.identityVerified && self ? <span class="small muted">another administrator verifies your identity</span> : null}
          {active ? button('reset', 'Reset password', `Reset password of ${u.username}`) : null}
          {active && !self ? button('disable', 'Disable', `Disable ${u.username}`) : null}
        </td>
      </tr>
      {open ? (
        <tr class="row-form">
          <td colSpan={9}>
            <UserChange action={open} u={u} onClose={onClose} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function UserChange({ action, u, onClose }: { action: Action; u: User; onClose: (message: string | null) => void }) {
  const [password, setPassword] = useState('');
  const path = { params: { path: { userId: u.id } } };
  if (action === 'verify') {
    return (
      <ReasonForm
        legend={`Verify the identity of ${u.displayName} (${u.username})`}
        reasonLabel="How the identity was verified (required; recorded in the audit trail)"
        submit="Record identity verification"
        testId="verify-form"
        onCancel={() => onClose(null)}
        onSubmit={async (reason) => {
          await must(api.POST('/users/{userId}/verify-identity', { ...path, body: { reason } }));
          onClose(`Identity of ${u.username} verified: they may now sign electronically.`);
        }}
      >
        <p class="small">21 CFR 11.100: an administrator other than the user confirms who they are before their electronic signatures are accepted.</p>
      </ReasonForm>
    );
  }
  if (action === 'reset') {
    return (
      <ReasonForm
        legend={`Reset the password of ${u.username}`}
        submit="Reset password"
        testId="reset-form"
        ready={password.length > 0}
        onCancel={() => onClose(null)}
        onSubmit={async (reason) => {
          await must(api.POST('/users/{userId}/reset-password', { ...path, body: { password, reason } }));
          onClose(`Password of ${u.username} replaced; their sessions have ended.`);
        }}
        fields={(error) => (
          <TextField id={`reset-password-${u.id}`} label="New password" type="password" autoComplete="new-password" required maxLength={256} value={password} onValue={setPassword} hint={PASSWORD_HINT} problems={fieldProblems(error).password} />
        )}
      >
        <p class="small">Every session of this user ends at once; give them the new password by a separate channel.</p>
      </ReasonForm>
    );
  }
  return (
    <ReasonForm
      legend={`Disable the account ${u.username}`}
      submit="Disable account"
      testId="disable-form"
      onCancel={() => onClose(null)}
      onSubmit={async (reason) => {
        await must(api.POST('/users/{userId}/disable', { ...path, body: { reason } }));
        onClose(`Account ${u.username} disabled; their sessions have ended. Usernames are never reused.`);
      }}
    >
      <p class="small">The account can no longer log in and its sessions end at once. It stays in the records (usernames are never reused).</p>
    </ReasonForm>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (u: User) => void }) {
  const empty = { username: '', displayName: '', email: '', password: '', repeat: '', isAdmin: false };
  const [f, setF] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problems = fieldProblems(error);
  const mismatch = f.repeat !== '' && f.repeat !== f.password;
  const set = (k: keyof typeof empty) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      const u = await must(api.POST('/users', { body: { username: f.username.trim(), displayName: f.displayName.trim(), email: f.email.trim() || null, password: f.password, isAdmin: f.isAdmin } }));
      setF(empty);
      onCreated(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} data-testid="create-user">
      <fieldset>
        <legend>Create an account</legend>
        <div class="field-grid">
          <TextField id="new-username" label="Username" required maxLength={63} value={f.username} onValue={set('username')} hint='2–63 characters: a–z, 0–9, ".", "_", "-". Usernames are never reused.' problems={problems.username} />
          <TextField id="new-display-name" label="Printed name" required maxLength={200} value={f.displayName} onValue={set('displayName')} hint="Shown on the user's electronic signatures." problems={problems.displayName} />
          <TextField id="new-email" label="Email (optional)" type="email" maxLength={254} value={f.email} onValue={set('email')} problems={problems.email} />
          <TextField id="new-password" label="Initial password" type="password" autoComplete="new-password" required maxLength={256} value={f.password} onValue={set('password')} hint={PASSWORD_HINT} problems={problems.password} />
          <TextField id="new-password-repeat" label="Repeat the password" type="password" autoComplete="new-password" required maxLength={256} value={f.repeat} onValue={set('repeat')} problems={mismatch ? ['does not match the password'] : undefined} />
        </div>
        <label class="radio">
          <input type="checkbox" checked={f.isAdmin} onChange={(e) => setF((x) => ({ ...x, isAdmin: e.currentTarget.checked }))} />
          Administrator (manages accounts, trials and memberships)
        </label>
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy || mismatch || !f.username.trim() || !f.displayName.trim() || !f.password || !f.repeat}>
            {busy ? 'Creating…' : 'Create account'}
          </button>
        </div>
        <ErrorBanner error={error} prefix="Not created" />
      </fieldset>
    </form>
  );
}

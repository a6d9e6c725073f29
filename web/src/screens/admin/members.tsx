import { useEffect, useState } from 'preact/hooks';
import { TRIAL_ROLES, type TrialRole } from '../../api/access.js';
import { type Schemas, api, must } from '../../api/client.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { ReasonForm } from '../../ui/reason-form.js';
import { useAsync } from '../../ui/use-async.js';

// A trial's memberships (administrators): who holds which role, a sponsor's site binding, grants and revocations.
// A revocation is recorded with its reason; a revoked role can be granted again (the same membership returns).

type Membership = Schemas['Membership'];

const ROLE_WORDS: Record<TrialRole, string> = {
  sponsor: 'sponsor (site uploads, queries)',
  qc: 'qc (image QC, reader assignment)',
  reader: 'reader (blinded reads)',
  adjudicator: 'adjudicator',
  biostatistician: 'biostatistician (data exports)',
};

async function loadMembers(trialId: string) {
  const [trial, members, users, sites] = await Promise.all([
    must(api.GET('/trials/{trialId}', { params: { path: { trialId } } })),
    must(api.GET('/trials/{trialId}/members', { params: { path: { trialId } } })),
    must(api.GET('/users')),
    must(api.GET('/trials/{trialId}/sites', { params: { path: { trialId } } })),
  ]);
  return { trial, members, users, sites };
}

export function MembersScreen({ trialId }: { trialId: string }) {
  const data = useAsync(() => loadMembers(trialId), [trialId]);
  const d = data.data;
  const [revoking, setRevoking] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [returnFocus, setReturnFocus] = useState<string | null>(null);
  // After a revocation the focus goes to the notice that reports it; after Cancel or Escape, back to the button.
  useEffect(() => {
    if (!returnFocus || revoking) return;
    document.getElementById(returnFocus)?.focus();
    setReturnFocus(null);
  }, [returnFocus, revoking]);
  const siteName = (id: string | null | undefined) => {
    if (!id) return 'all sites';
    const s = d?.sites.find((x) => x.id === id);
    return s ? `${s.code} (${s.name})` : id;
  };
  const changed = (message: string) => {
    setNotice(message);
    data.reload();
  };
  return (
    <Page title={d ? `Members of ${d.trial.code}` : 'Members'} actions={<Link to={pathOf('trials', trialId, 'setup')}>Trial setup</Link>}>
      <ErrorBanner error={data.error} />
      {data.loading && !d ? <Loading what="members" /> : null}
      {d ? <AddMemberForm trialId={trialId} users={d.users} sites={d.sites} onAdded={changed} /> : null}
      <h2 id="members-h">Roles on this trial</h2>
      {notice ? (
        <p id="members-notice" class="banner banner-info" role="status" tabIndex={-1}>
          {notice}
        </p>
      ) : null}
      {d && d.members.length === 0 ? <p class="muted">Nobody holds a role on this trial yet.</p> : null}
      {d && d.members.length > 0 ? (
        <table class="grid" aria-labelledby="members-h" data-testid="members">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Site</th>
              <th scope="col">Status</th>
              <th scope="col">Granted</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {d.members.map((m) => (
              <MemberRows
                key={m.id}
                m={m}
                site={siteName(m.siteId)}
                open={revoking === m.id}
                onOpen={() => setRevoking(m.id)}
                onClose={(message) => {
                  setReturnFocus(message ? 'members-notice' : `revoke-${m.id}`);
                  setRevoking(null);
                  if (message) changed(message);
                }}
                trialId={trialId}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

function MemberRows({ m, site, open, onOpen, onClose, trialId }: { m: Membership; site: string; open: boolean; onOpen: () => void; onClose: (message: string | null) => void; trialId: string }) {
  const who = `${m.displayName ?? m.username ?? m.userId}`;
  return (
    <>
      <tr data-member={`${m.username}:${m.role}`} data-status={m.status}>
        <th scope="row">
          {who} <span class="muted">({m.username})</span>
        </th>
        <td>{m.role}</td>
        <td>{site}</td>
        <td>
          <StateBadge value={m.status} />
        </td>
        <td>{formatTime(m.createdAt)}</td>
        <td>
          {m.status === 'active' ? (
            <button type="button" id={`revoke-${m.id}`} aria-expanded={open} aria-label={`Revoke the ${m.role} role of ${m.username}`} onClick={onOpen}>
              Revoke
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr class="row-form">
          <td colSpan={6}>
            <ReasonForm
              legend={`Revoke the ${m.role} role of ${who}`}
              submit="Revoke role"
              testId="revoke-form"
              onCancel={() => onClose(null)}
              onSubmit={async (reason) => {
                await must(api.POST('/trials/{trialId}/members/{membershipId}/revoke', { params: { path: { trialId, membershipId: m.id } }, body: { reason } }));
                onClose(`The ${m.role} role of ${m.username} is revoked.`);
              }}
            >
              <p class="small">The user loses this role's access to the trial at once. What they did stays in the records.</p>
            </ReasonForm>
          </td>
        </tr>
      ) : null}
    </>
  );
}

function AddMemberForm({ trialId, users, sites, onAdded }: { trialId: string; users: Schemas['User'][]; sites: Schemas['Site'][]; onAdded: (message: string) => void }) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<TrialRole>('sponsor');
  const [siteId, setSiteId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const active = users.filter((u) => u.status === 'active');
  // Only a sponsor's access depends on a site (a site-bound sponsor sees and enrols at that site only).
  const bindable = role === 'sponsor';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const m = await must(api.POST('/trials/{trialId}/members', { params: { path: { trialId } }, body: { userId, role, siteId: bindable && siteId ? siteId : null } }));
      const u = users.find((x) => x.id === m.userId);
      setUserId('');
      setSiteId('');
      onAdded(`${u?.username ?? m.userId} now holds the ${m.role} role${m.siteId ? `, bound to site ${sites.find((s) => s.id === m.siteId)?.code ?? m.siteId}` : ''}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} data-testid="add-member">
      <fieldset>
        <legend>Grant a role</legend>
        <div class="inline-fields">
          <label>
            User
            <select required value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
              <option value="">Choose a user…</option>
              {active.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} ({u.username}){u.identityVerified ? '' : ', identity not verified'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.currentTarget.value as TrialRole)}>
              {TRIAL_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_WORDS[r]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Site binding (sponsors)
            <select value={bindable ? siteId : ''} disabled={!bindable} aria-describedby="site-binding-hint" onChange={(e) => setSiteId(e.currentTarget.value)}>
              <option value="">All sites (not bound)</option>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.code} ({s.name})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy || !userId}>
            {busy ? 'Granting…' : 'Grant role'}
          </button>
        </div>
        <p id="site-binding-hint" class="small muted">
          A sponsor bound to a site sees and enrols that site's subjects only. Other roles are not bound to sites.
        </p>
        <ErrorBanner error={error} prefix="Not granted" />
      </fieldset>
    </form>
  );
}

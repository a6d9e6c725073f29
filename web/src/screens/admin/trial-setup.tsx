import { useEffect, useRef, useState } from 'preact/hooks';
import { type Schemas, api, must } from '../../api/client.js';
import { fieldProblems } from '../../api/field-problems.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { TextField } from '../../ui/text-field.js';
import { useAsync } from '../../ui/use-async.js';
import { SignForm } from '../reading/sign-form.js';
import { SignatureView } from '../reading/signature-view.js';

// A trial's setup (administrators): the charter, approved by an electronic signature with the meaning
// "approved" (reads start only after it; P11-DOC-01), its signatures with the server's checks, and the sites.

type SignatureCheck = Schemas['SignatureCheck'];

export function TrialSetupScreen({ trialId }: { trialId: string }) {
  const trial = useAsync(() => must(api.GET('/trials/{trialId}', { params: { path: { trialId } } })), [trialId]);
  const t = trial.data;
  return (
    <Page title={t ? `Setup of ${t.code}` : 'Trial setup'} actions={<Link to={pathOf('trials', trialId, 'members')}>Members</Link>}>
      <ErrorBanner error={trial.error} />
      {trial.loading && !t ? <Loading what="the trial" /> : null}
      {t ? <CharterSection trial={t} onApproved={trial.reload} /> : null}
      <SitesSection trialId={trialId} />
    </Page>
  );
}

function CharterSection({ trial: t, onApproved }: { trial: Schemas['Trial']; onApproved: () => void }) {
  const sigs = useAsync(() => must(api.GET('/trials/{trialId}/signatures', { params: { path: { trialId: t.id } } })), [t.id, t.protocolApprovedAt]);
  const heading = useRef<HTMLHeadingElement>(null);
  const [justSigned, setJustSigned] = useState(false);
  // After signing, the form is gone: the focus goes to the signatures heading, where the new one is shown.
  useEffect(() => {
    if (justSigned && sigs.data && sigs.data.length > 0) heading.current?.focus();
  }, [justSigned, sigs.data]);
  return (
    <section class="panel" aria-labelledby="charter-h" data-testid="charter">
      <h2 id="charter-h">
        Charter {t.protocolApprovedAt ? <StateBadge value="approved" /> : <StateBadge value="not_approved" />}
      </h2>
      <dl class="facts">
        <dt>Trial</dt>
        <dd>
          {t.code}: {t.title} ({t.sponsorName ?? '—'})
        </dd>
        <dt>Charter</dt>
        <dd>
          {t.protocolName} version {t.protocolVersion ?? '?'}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code class="hash">{t.protocolSha256 ?? '—'}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <StateBadge value={t.status} />
        </dd>
        <dt>Approved</dt>
        <dd>{t.protocolApprovedAt ? formatTime(t.protocolApprovedAt) : 'not yet: no read can start before the charter is approved'}</dd>
      </dl>
      <h3 id="charter-signatures-h" tabIndex={-1} ref={heading}>
        Signatures on the charter
      </h3>
      <ErrorBanner error={sigs.error} />
      {sigs.data && sigs.data.length === 0 ? <p class="muted">None yet.</p> : null}
      {(sigs.data ?? []).map((s) => (
        <SignatureView key={s.signature.id} signature={asSignature(s)} label="Approved by" />
      ))}
      {!t.protocolApprovedAt ? (
        <SignForm
          legend="Approve the charter"
          statement={`I approve charter ${t.protocolName} version ${t.protocolVersion ?? '?'} (SHA-256 ${t.protocolSha256 ?? '?'}) for trial ${t.code}`}
          meaning="approved"
          button="Sign approval"
          onSign={async (password) => {
            await must(api.POST('/trials/{trialId}/protocol/approve', { params: { path: { trialId: t.id } }, body: { password } }));
            setJustSigned(true);
            onApproved();
          }}
        />
      ) : null}
    </section>
  );
}

const asSignature = (s: SignatureCheck) => ({
  meaning: s.signature.meaning ?? '',
  signedAt: s.signature.signedAt ?? '',
  recordVersion: s.signature.recordVersion ?? 0,
  contentSha256: s.signature.contentSha256 ?? '',
  authentic: s.authentic,
  matchesRecord: s.matchesRecord,
  manifestation: s.manifestation,
  signerName: s.signature.signerName,
});

function SitesSection({ trialId }: { trialId: string }) {
  const sites = useAsync(() => must(api.GET('/trials/{trialId}/sites', { params: { path: { trialId } } })), [trialId]);
  const [f, setF] = useState({ code: '', name: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const problems = fieldProblems(error);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await must(api.POST('/trials/{trialId}/sites', { params: { path: { trialId } }, body: { code: f.code.trim(), name: f.name.trim() } }));
      setF({ code: '', name: '' });
      setCreated(`Site ${s.code} (${s.name}) added.`);
      sites.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="sites-h" data-testid="sites">
      <h2 id="sites-h">Sites</h2>
      <ErrorBanner error={sites.error} />
      {sites.data && sites.data.length === 0 ? <p class="muted">No site yet: add one before subjects are enrolled or sponsors bound to a site.</p> : null}
      {sites.data && sites.data.length > 0 ? (
        <table class="grid compact">
          <caption class="sr-only">Sites of this trial</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {sites.data.map((s) => (
              <tr key={s.id} data-site={s.code}>
                <th scope="row">{s.code}</th>
                <td>{s.name}</td>
                <td>{formatTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form class="form" onSubmit={submit} data-testid="create-site">
        <fieldset>
          <legend>Add a site</legend>
          <div class="field-grid">
            <TextField id="site-code" label="Site code" required maxLength={20} pattern="[A-Za-z0-9][A-Za-z0-9\-]{0,19}" value={f.code} onValue={(code) => setF((x) => ({ ...x, code }))} hint='Up to 20 letters, digits and "-".' problems={problems.code} />
            <TextField id="site-name" label="Site name" required maxLength={200} value={f.name} onValue={(name) => setF((x) => ({ ...x, name }))} problems={problems.name} />
          </div>
          <div class="button-row">
            <button type="submit" disabled={busy || !f.code.trim() || !f.name.trim()}>
              {busy ? 'Adding…' : 'Add site'}
            </button>
            {created ? (
              <span role="status" class="ok-text">
                {created}
              </span>
            ) : null}
          </div>
          <ErrorBanner error={error} prefix="Not added" />
        </fieldset>
      </form>
    </section>
  );
}

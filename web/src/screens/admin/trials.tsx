import { useState } from 'preact/hooks';
import { api, must } from '../../api/client.js';
import { fieldProblems } from '../../api/field-problems.js';
import { navigate, pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { TextField } from '../../ui/text-field.js';
import { useAsync } from '../../ui/use-async.js';

// Every trial (administrators): create one with its charter, and see which charters still wait for approval. A
// new trial opens on its setup screen, where the charter is approved by e-signature and sites are added.

/** Charters shipped in protocols/ (the API has no list of them; the server refuses an unknown name). */
const KNOWN_CHARTERS = ['bicr-recist-1.1'];

export function TrialsAdminScreen() {
  const trials = useAsync(() => must(api.GET('/trials')), []);
  return (
    <Page title="Trials">
      <CreateTrialForm />
      <h2 id="all-trials-h">All trials</h2>
      <ErrorBanner error={trials.error} />
      {trials.loading && !trials.data ? <Loading what="trials" /> : null}
      {trials.data && trials.data.length === 0 ? <p>No trial has been created yet.</p> : null}
      {trials.data && trials.data.length > 0 ? (
        <table class="grid" aria-labelledby="all-trials-h" data-testid="trials">
          <thead>
            <tr>
              <th scope="col">Trial</th>
              <th scope="col">Title</th>
              <th scope="col">Sponsor</th>
              <th scope="col">Charter</th>
              <th scope="col">Charter SHA-256</th>
              <th scope="col">Approval</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {trials.data.map((t) => (
              <tr key={t.id} data-trial={t.code}>
                <th scope="row">
                  <Link to={pathOf('trials', t.id)}>{t.code}</Link>
                </th>
                <td>{t.title}</td>
                <td>{t.sponsorName ?? '—'}</td>
                <td>
                  {t.protocolName} v{t.protocolVersion ?? '?'}
                </td>
                <td>
                  <code class="hash">{t.protocolSha256?.slice(0, 16) ?? '—'}…</code>
                </td>
                <td>
                  {t.protocolApprovedAt ? (
                    <>
                      <StateBadge value="approved" /> {formatTime(t.protocolApprovedAt)}
                    </>
                  ) : (
                    <Link to={pathOf('trials', t.id, 'setup')} aria-label={`Approve the charter of ${t.code}`}>
                      Approve the charter
                    </Link>
                  )}
                </td>
                <td>
                  <StateBadge value={t.status} />
                </td>
                <td>{formatTime(t.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

function CreateTrialForm() {
  const [f, setF] = useState({ code: '', title: '', sponsorName: '', protocol: KNOWN_CHARTERS[0] });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problems = fieldProblems(error);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const t = await must(api.POST('/trials', { body: { code: f.code.trim(), title: f.title.trim(), sponsorName: f.sponsorName.trim(), protocol: f.protocol.trim() } }));
      navigate(pathOf('trials', t.id, 'setup'));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} data-testid="create-trial">
      <fieldset>
        <legend>Create a trial</legend>
        <div class="field-grid">
          <TextField id="trial-code" label="Trial code" required maxLength={40} pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,39}" value={f.code} onValue={set('code')} hint='Up to 40 letters, digits, ".", "_", "-"; used as the SDTM STUDYID.' problems={problems.code} />
          <TextField id="trial-title" label="Title" required maxLength={300} value={f.title} onValue={set('title')} problems={problems.title} />
          <TextField id="trial-sponsor" label="Sponsor" required maxLength={200} value={f.sponsorName} onValue={set('sponsorName')} problems={problems.sponsorName} />
          <TextField id="trial-protocol" label="Charter" required list="known-charters" value={f.protocol} onValue={set('protocol')} hint="The review charter the trial follows (a file in protocols/). Its snapshot and SHA-256 are stored with the trial; reads start once it is approved." problems={problems.protocol} />
          <datalist id="known-charters">
            {KNOWN_CHARTERS.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </div>
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy || !f.code.trim() || !f.title.trim() || !f.sponsorName.trim() || !f.protocol.trim()}>
            {busy ? 'Creating…' : 'Create trial'}
          </button>
        </div>
        <ErrorBanner error={error} prefix="Not created" />
      </fieldset>
    </form>
  );
}

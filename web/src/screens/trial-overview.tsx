import { api, must } from '../api/client.js';
import type { Caller } from '../api/access.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../ui/feedback.js';
import { Link } from '../ui/link.js';
import { Page } from '../ui/page.js';
import { useAsync } from '../ui/use-async.js';
import { trialScreensFor } from './routes.js';

/** A trial's landing screen: what it is, the user's roles on it, and the screens those roles open. */
export function TrialOverviewScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const trial = useAsync(() => must(api.GET('/trials/{trialId}', { params: { path: { trialId } } })), [trialId]);
  const screens = trialScreensFor(caller);
  const t = trial.data;
  return (
    <Page title={t ? `${t.code}: ${t.title}` : 'Trial'}>
      <ErrorBanner error={trial.error} />
      {trial.loading && !t ? <Loading what="the trial" /> : null}
      {t ? (
        <dl class="facts">
          <dt>Sponsor</dt>
          <dd>{t.sponsorName ?? '—'}</dd>
          <dt>Charter</dt>
          <dd>
            {t.protocolName} v{t.protocolVersion ?? '?'} {t.protocolApprovedAt ? <>approved {formatTime(t.protocolApprovedAt)}</> : <StateBadge value="not_approved" />}
          </dd>
          <dt>Status</dt>
          <dd>
            <StateBadge value={t.status} />
          </dd>
          <dt>Your roles</dt>
          <dd>{caller.roles.length > 0 ? caller.roles.join(', ') : caller.isAdmin ? 'administrator' : 'none'}</dd>
        </dl>
      ) : null}
      <h2>Screens</h2>
      {screens.length > 0 ? (
        <ul class="cards">
          {screens.map((s) => (
            <li key={s.pattern}>
              <Link to={s.pattern.replace(':trialId', encodeURIComponent(trialId))}>{s.nav}</Link>
              <p class="muted">{s.describe}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p>
          This version of the application has no screens for your role on this trial ({caller.roles.join(', ') || 'none'}). Exports and the image
          viewer come with the export and imaging parts of the API.
        </p>
      )}
    </Page>
  );
}

import { api, must } from '../api/client.js';
import { pathOf } from '../router.js';
import { ErrorBanner, Loading, StateBadge } from '../ui/feedback.js';
import { Link } from '../ui/link.js';
import { Page } from '../ui/page.js';
import { useAsync } from '../ui/use-async.js';

/** The trials the user may open (all of them for an administrator), with their roles on each. */
export function HomeScreen() {
  const trials = useAsync(() => must(api.GET('/trials')), []);
  // The reading worklist spans trials (GET /me/tasks): pending reads and adjudications are counted per trial here.
  const tasks = useAsync(() => must(api.GET('/me/tasks', { params: { query: { state: 'pending' } } })), []);
  const pending = (trialId: string, kind: 'read' | 'adjudication') => (tasks.data ?? []).filter((t) => t.trialId === trialId && t.kind === kind).length;
  const anyTasks = (tasks.data ?? []).length > 0;
  return (
    <Page title="Your trials">
      <ErrorBanner error={trials.error} />
      {trials.loading && !trials.data ? <Loading what="trials" /> : null}
      {trials.data && trials.data.length === 0 ? <p>You are not a member of any trial yet. An administrator grants trial roles.</p> : null}
      {trials.data && trials.data.length > 0 ? (
        <table class="grid">
          <caption class="sr-only">Trials</caption>
          <thead>
            <tr>
              <th scope="col">Trial</th>
              <th scope="col">Title</th>
              <th scope="col">Charter</th>
              <th scope="col">Status</th>
              <th scope="col">Your roles</th>
              {anyTasks ? <th scope="col">Pending reading tasks</th> : null}
            </tr>
          </thead>
          <tbody>
            {trials.data.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  <Link to={pathOf('trials', t.id)}>{t.code}</Link>
                </th>
                <td>{t.title}</td>
                <td>
                  {t.protocolName} {t.protocolApprovedAt ? <StateBadge value="approved" /> : <StateBadge value="not_approved" />}
                </td>
                <td>
                  <StateBadge value={t.status} />
                </td>
                <td>{t.roles && t.roles.length > 0 ? t.roles.join(', ') : 'none (administrator access)'}</td>
                {anyTasks ? (
                  <td data-testid={`tasks-${t.code}`}>
                    {pending(t.id, 'read') ? <Link to={pathOf('trials', t.id, 'reading')}>{`${pending(t.id, 'read')} read${pending(t.id, 'read') === 1 ? '' : 's'}`}</Link> : null}
                    {pending(t.id, 'read') && pending(t.id, 'adjudication') ? ', ' : null}
                    {pending(t.id, 'adjudication') ? (
                      <Link to={pathOf('trials', t.id, 'adjudication')}>{`${pending(t.id, 'adjudication')} adjudication${pending(t.id, 'adjudication') === 1 ? '' : 's'}`}</Link>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

import { useState } from 'preact/hooks';
import { api, must } from '../../api/client.js';
import { type ReadingTask, subjectName } from '../../reading/model.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

/** Today's date (UTC, as the server's due dates are) for the overdue mark. */
const today = () => new Date().toISOString().slice(0, 10);

/**
 * The signed-in user's reading tasks on this trial (GET /me/tasks, blinded: no site, no visit, no other reader),
 * by due date: reads for a reader, adjudications for an adjudicator.
 */
export function WorklistScreen({ trialId, kind }: { trialId: string; kind: ReadingTask['kind'] }) {
  const [all, setAll] = useState(false);
  const tasks = useAsync(() => must(api.GET('/me/tasks', { params: { query: { state: all ? 'all' : 'pending' } } })), [all]);
  const mine = (tasks.data ?? []).filter((t) => t.trialId === trialId && t.kind === kind);
  const what = kind === 'read' ? 'reads' : 'adjudications';
  return (
    <Page title={kind === 'read' ? 'Reading worklist' : 'Adjudication worklist'}>
      <label class="checkbox-line">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
        Include {kind === 'read' ? 'signed reads' : 'completed adjudications'}
      </label>
      <ErrorBanner error={tasks.error} />
      {tasks.loading && !tasks.data ? <Loading what={`your ${what}`} /> : null}
      {tasks.data && mine.length === 0 ? <p>No {all ? '' : 'pending '}{what} on this trial.</p> : null}
      {mine.length > 0 ? (
        <table class="grid" data-testid="worklist">
          <caption class="sr-only">Your {what}, by due date</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Timepoint</th>
              <th scope="col">State</th>
              <th scope="col">Due</th>
              <th scope="col">
                <span class="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map((t) => {
              const to = pathOf('trials', trialId, kind === 'read' ? 'reads' : 'adjudications', t.id);
              const name = `${subjectName(t.subject)} ${t.timepoint.label}`;
              const overdue = t.dueOn < today() && (t.state === 'open' || t.state === 'draft' || t.state === 'waiting');
              return (
                <tr key={t.id} data-task={t.id} data-state={t.state}>
                  <th scope="row">{subjectName(t.subject)}</th>
                  <td>{kind === 'adjudication' ? `through ${t.timepoint.label}` : t.timepoint.label}</td>
                  <td>
                    <StateBadge value={t.state} />
                  </td>
                  <td>
                    {t.dueOn}
                    {overdue ? <StateBadge value="overdue" /> : null}
                  </td>
                  <td>
                    {t.state === 'waiting' ? (
                      <span class="muted">opens after the previous timepoint is signed</span>
                    ) : (
                      <Link to={to} aria-label={`Open ${kind} ${name}`}>
                        {t.state === 'signed' || t.state === 'completed' ? 'View' : kind === 'read' ? 'Read' : 'Adjudicate'}
                      </Link>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

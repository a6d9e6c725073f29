import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

/** Visit states in which images may still be sent (the server's rule in src/services/ingest/uploads.ts). */
export const UPLOADABLE_STATES = ['expected', 'received', 'qc_failed'];

type Visit = NonNullable<Awaited<ReturnType<typeof loadVisits>>>[number];
const loadVisits = (trialId: string, subjectId: string) =>
  must(api.GET('/trials/{trialId}/subjects/{subjectId}/visits', { params: { path: { trialId, subjectId } } }));

export function SubjectVisitsScreen({ trialId, subjectId, caller }: { trialId: string; subjectId: string; caller: Caller }) {
  const visits = useAsync(() => loadVisits(trialId, subjectId), [trialId, subjectId]);
  const subject = useAsync(
    () => must(api.GET('/trials/{trialId}/subjects', { params: { path: { trialId } } })).then((all) => all.find((s) => s.id === subjectId) ?? null),
    [trialId, subjectId],
  );
  const [error, setError] = useState<unknown>(null);

  const createVisit = async (v: Visit) => {
    setError(null);
    try {
      await must(
        api.POST('/trials/{trialId}/subjects/{subjectId}/timepoints', {
          params: { path: { trialId, subjectId } },
          body: { visitCode: v.visitCode, visitNum: v.visitNum, label: v.label, scheduledOn: v.scheduledOn ?? null },
        }),
      );
      visits.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Page title={`Subject ${subject.data?.subjectCode ?? ''}`.trim()} actions={<Link to={pathOf('trials', trialId, 'subjects')}>All subjects</Link>}>
      <ErrorBanner error={visits.error ?? error} />
      {visits.loading && !visits.data ? <Loading what="visits" /> : null}
      {visits.data ? (
        <table class="grid">
          <caption>Visits the charter expects, what was received, QC state and open queries</caption>
          <thead>
            <tr>
              <th scope="col">Visit</th>
              <th scope="col">Code</th>
              <th scope="col">Scheduled</th>
              <th scope="col">Acquired</th>
              <th scope="col">State</th>
              <th scope="col">QC</th>
              <th scope="col">Series / images</th>
              <th scope="col">Open queries</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {visits.data.map((v) => (
              <tr key={v.visitCode} data-visit={v.visitCode}>
                <th scope="row">{v.label}</th>
                <td>{v.visitCode}</td>
                <td>{v.scheduledOn ?? '—'}</td>
                <td>{v.acquiredOn ?? '—'}</td>
                <td>
                  <StateBadge value={v.state} />
                </td>
                <td>
                  <StateBadge value={v.qcOutcome} />
                </td>
                <td>
                  {v.series ?? 0} / {v.instances ?? 0}
                </td>
                <td>{v.openQueries > 0 ? <Link to={pathOf('trials', trialId, 'queries')}>{v.openQueries}</Link> : 0}</td>
                <td>
                  <VisitActions trialId={trialId} subjectId={subjectId} visit={v} caller={caller} onCreate={() => createVisit(v)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

function VisitActions({ trialId, subjectId, visit, caller, onCreate }: { trialId: string; subjectId: string; visit: Visit; caller: Caller; onCreate: () => void }) {
  if (!visit.timepointId) {
    return mayCall('createTimepoint', caller) ? (
      <button type="button" onClick={onCreate} aria-label={`Open visit ${visit.label}`}>
        Open visit
      </button>
    ) : null;
  }
  if (UPLOADABLE_STATES.includes(visit.state) && mayCall('createUpload', caller)) {
    return (
      <Link to={pathOf('trials', trialId, 'subjects', subjectId, 'visits', visit.timepointId, 'upload')} aria-label={`Upload images for ${visit.label}`}>
        Upload images
      </Link>
    );
  }
  return null;
}


import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { CRITERIA_LABEL, RESPONSE_CRITERIA, asFinalAssessment } from '../../reading/model.js';
import { auditEventsOf } from '../../reading/load-audit.js';
import { type ReadRef, readsFromAudit } from '../../reading/trial-reading-index.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

/** The trial's subjects, each leading to its final assessment. */
export function FinalAssessmentsScreen({ trialId }: { trialId: string }) {
  const subjects = useAsync(() => must(api.GET('/trials/{trialId}/subjects', { params: { path: { trialId } } })), [trialId]);
  return (
    <Page title="Final assessments">
      <p class="muted">Per subject and timepoint: the response of record, and whether it comes from concordant reads or an adjudication.</p>
      <ErrorBanner error={subjects.error} />
      {subjects.loading && !subjects.data ? <Loading what="subjects" /> : null}
      {subjects.data ? (
        <ul class="link-list">
          {subjects.data.map((s) => (
            <li key={s.id}>
              <Link to={pathOf('trials', trialId, 'final-assessment', s.id)}>{s.subjectCode}</Link>
            </li>
          ))}
        </ul>
      ) : null}
    </Page>
  );
}

/** One subject's final assessment per timepoint (GET .../final-assessment), with links to the reads and adjudications behind it. */
export function FinalAssessmentScreen({ trialId, subjectId, caller }: { trialId: string; subjectId: string; caller: Caller }) {
  const final = useAsync(() => must(api.GET('/trials/{trialId}/subjects/{subjectId}/final-assessment', { params: { path: { trialId, subjectId } } })).then(asFinalAssessment), [trialId, subjectId]);
  const canIndex = mayCall('listAuditEvents', caller) && mayCall('getRead', caller);
  const reads = useAsync<ReadRef[]>(() => (canIndex ? auditEventsOf(trialId, 'read').then(readsFromAudit) : Promise.resolve([])), [trialId, canIndex]);
  const f = final.data;
  return (
    <Page title={f ? `Final assessment · ${f.subject.subjectCode}` : 'Final assessment'} actions={<Link to={pathOf('trials', trialId, 'final-assessment')}>All subjects</Link>}>
      <ErrorBanner error={final.error} />
      {final.loading && !f ? <Loading what="the final assessment" /> : null}
      {f ? (
        <>
          <p class="small muted">Source: GET /trials/…/subjects/…/final-assessment. Concordant timepoints take reader 1's read unless an earlier subject-level adjudication chose reader 2.</p>
          <table class="grid" data-testid="final-assessment">
            <caption class="sr-only">Final assessment per timepoint</caption>
            <thead>
              <tr>
                <th scope="col">Timepoint</th>
                <th scope="col">Visit</th>
                <th scope="col">Scan date</th>
                <th scope="col">Source</th>
                <th scope="col">Read of record</th>
                {RESPONSE_CRITERIA.map((c) => (
                  <th scope="col" key={c}>
                    {CRITERIA_LABEL[c]}
                  </th>
                ))}
                <th scope="col">Best overall (RECIST 1.1)</th>
              </tr>
            </thead>
            <tbody>
              {f.timepoints.map((t) => {
                const ref = reads.data?.find((r) => r.timepointId === t.timepoint.id && r.readerNo === t.readerNo);
                return (
                  <tr key={t.timepoint.id} data-timepoint={t.timepoint.blindedLabel} data-source={t.source}>
                    <th scope="row">{t.timepoint.blindedLabel}</th>
                    <td>{t.timepoint.visitLabel}</td>
                    <td>{t.timepoint.scanDate ?? '—'}</td>
                    <td>
                      <StateBadge value={t.source} />
                      {t.adjudicationId ? (
                        <>
                          {' '}
                          <Link to={pathOf('trials', trialId, 'adjudications', t.adjudicationId)} aria-label={`Adjudication governing ${t.timepoint.blindedLabel}`}>
                            adjudication
                          </Link>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {t.readerNo !== null ? (
                        ref ? (
                          <Link to={pathOf('trials', trialId, 'reads', ref.readId)}>
                            Reader {t.readerNo}, version {t.readVersion}
                          </Link>
                        ) : (
                          `Reader ${t.readerNo}, version ${t.readVersion}`
                        )
                      ) : (
                        '—'
                      )}
                    </td>
                    {RESPONSE_CRITERIA.map((c) => {
                      const r = t.responses?.find((x) => x.criteria === c);
                      return (
                        <td key={c}>
                          {r ? (
                            <>
                              <strong>{r.effective ?? '—'}</strong>
                              {r.override ? <span class="small muted"> (computed {r.engine}; override: {r.reason})</span> : null}
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                      );
                    })}
                    <td>{t.bestOverallResponse?.['RECIST1.1'] ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <ErrorBanner error={reads.error} prefix="Links to the reads are unavailable" />
        </>
      ) : null}
    </Page>
  );
}

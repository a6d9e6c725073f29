import { api, must } from '../../api/client.js';
import { asFinalAssessment, asRead } from '../../reading/model.js';
import { auditEventsOf } from '../../reading/load-audit.js';
import { readsFromAudit } from '../../reading/trial-reading-index.js';
import { type WaterfallBar, bestPercentChange, orderBars, readOfRecord, responseColour } from '../../reading/waterfall.js';
import { BarChart } from '../../ui/bar-chart.js';
import { ErrorBanner, Loading } from '../../ui/feedback.js';
import { useAsync } from '../../ui/use-async.js';

interface WaterfallData {
  bars: WaterfallBar[];
  /** subjects without a bar, and why */
  left: Array<{ subjectCode: string; why: string }>;
}

/** Runs the loads a few at a time (the server is shared; a trial has many subjects). */
async function inBatches<T, R>(items: T[], size: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function loadWaterfall(trialId: string): Promise<WaterfallData> {
  const [subjects, readEvents] = await Promise.all([must(api.GET('/trials/{trialId}/subjects', { params: { path: { trialId } } })), auditEventsOf(trialId, 'read')]);
  const reads = readsFromAudit(readEvents);
  const bars: WaterfallBar[] = [];
  const left: WaterfallData['left'] = [];
  await inBatches(subjects, 4, async (s) => {
    const final = asFinalAssessment(await must(api.GET('/trials/{trialId}/subjects/{subjectId}/final-assessment', { params: { path: { trialId, subjectId: s.id } } })));
    const record = readOfRecord(final);
    if (!record) return void left.push({ subjectCode: s.subjectCode, why: 'no follow-up with a final assessment yet' });
    const ref = reads.find((r) => r.timepointId === record.timepointId && r.readerNo === record.readerNo);
    if (!ref) return void left.push({ subjectCode: s.subjectCode, why: 'the read of record is not in the audit trail' });
    const read = asRead(await must(api.GET('/trials/{trialId}/reads/{readId}', { params: { path: { trialId, readId: ref.readId } } })));
    const version = read.versions.find((v) => v.version === record.readVersion);
    const best = version?.evaluation ? bestPercentChange(version.evaluation) : null;
    if (!best) return void left.push({ subjectCode: s.subjectCode, why: 'no target lesion sum (no baseline targets)' });
    const bor = final.timepoints.find((t) => t.timepoint.id === record.timepointId)?.bestOverallResponse?.['RECIST1.1'] ?? null;
    bars.push({ subjectId: s.id, subjectCode: s.subjectCode, pct: best.pct, at: best.at, bestOverallResponse: bor, source: `${record.source}, reader ${record.readerNo} v${record.readVersion}` });
  });
  return { bars: orderBars(bars), left: left.sort((a, b) => a.subjectCode.localeCompare(b.subjectCode)) };
}

/** Best percent change of the target sum per subject, from the final assessments. */
export function WaterfallSection({ trialId }: { trialId: string }) {
  const data = useAsync(() => loadWaterfall(trialId), [trialId]);
  const d = data.data;
  return (
    <section class="panel" aria-labelledby="waterfall-h">
      <h2 id="waterfall-h">Waterfall: best change in the sum of target diameters</h2>
      <ErrorBanner error={data.error} />
      {data.loading && !d ? <Loading what="final assessments" /> : null}
      {d ? (
        <BarChart
          id="waterfall"
          title="Best % change from baseline per subject (RECIST 1.1), coloured by best overall response"
          summary={d.bars.length ? `Best percent change per subject: ${d.bars.map((b) => `${b.subjectCode} ${b.pct}%`).join(', ')}` : 'No subject has a final assessment with a follow-up yet'}
          labels={d.bars.map((b) => b.subjectCode)}
          series={[{ label: 'Best % change', data: d.bars.map((b) => b.pct), colour: d.bars.map((b) => responseColour(b.bestOverallResponse)) }]}
          horizontalLines={[
            { y: 20, label: '+20%' },
            { y: -30, label: '−30% (PR)' },
          ]}
          yMin={-100}
          yMax={Math.max(40, ...d.bars.map((b) => Math.ceil(b.pct / 10) * 10 + 10))}
          yTitle="% change from baseline"
          source={
            <>
              Data: each subject's final assessment (GET …/subjects/{'{subjectId}'}/final-assessment) names the read of record at its latest assessed
              timepoint (concordant reads, or the adjudicator's choice) and its version; the sums are that signed version's stored engine output, whose
              timepoints cover every earlier follow-up of that reader. Read ids come from the audit trail's read.create events (the API has no list of
              reads). The +20% line is a guide: RECIST 1.1 progression is measured from the nadir.
            </>
          }
        >
          <table class="grid compact" data-testid="table-waterfall">
            <caption class="sr-only">Best percent change per subject</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Best change</th>
                <th scope="col">At</th>
                <th scope="col">Best overall response</th>
                <th scope="col">Final assessment</th>
              </tr>
            </thead>
            <tbody>
              {d.bars.map((b) => (
                <tr key={b.subjectId}>
                  <th scope="row">{b.subjectCode}</th>
                  <td>{b.pct > 0 ? `+${b.pct}` : b.pct}%</td>
                  <td>{b.at}</td>
                  <td>{b.bestOverallResponse ?? '—'}</td>
                  <td>{b.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.left.length ? (
            <p class="small muted">
              Not plotted: {d.left.map((l) => `${l.subjectCode} (${l.why})`).join('; ')}.
            </p>
          ) : null}
        </BarChart>
      ) : null}
    </section>
  );
}

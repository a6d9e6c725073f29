import { api, must } from '../../api/client.js';
import { CAUSE_LABEL, DISCORDANCE_CAUSES, type ReaderStats, asReaderStats } from '../../reading/model.js';
import { BarChart } from '../../ui/bar-chart.js';
import { ErrorBanner, Loading } from '../../ui/feedback.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';
import { WaterfallSection } from './waterfall-section.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : x.toFixed(digits));

/** Reader performance for core-lab staff (GET /trials/{id}/reader-stats) as charts with their numbers, and the waterfall. */
export function ReaderStatsScreen({ trialId }: { trialId: string }) {
  const stats = useAsync(() => must(api.GET('/trials/{trialId}/reader-stats', { params: { path: { trialId } } })).then(asReaderStats), [trialId]);
  const s = stats.data;
  return (
    <Page title="Reader statistics">
      <ErrorBanner error={stats.error} />
      {stats.loading && !s ? <Loading what="reader statistics" /> : null}
      {s ? <StatsBody stats={s} /> : null}
      <WaterfallSection trialId={trialId} />
    </Page>
  );
}

function StatsBody({ stats }: { stats: ReaderStats }) {
  const t = stats.trial;
  const nameOf = (r: ReaderStats['readers'][number]) => r.readerName ?? `user ${r.readerId.slice(0, 8)}`;
  const readers = [...stats.readers].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const names = readers.map(nameOf);
  return (
    <>
      <dl class="facts inline-facts" data-testid="stats-summary">
        <dt>Criteria compared</dt>
        <dd>{stats.criteria}</dd>
        <dt>Subjects compared</dt>
        <dd>{t.subjectsCompared}</dd>
        <dt>Subjects adjudicated</dt>
        <dd>
          {t.subjectsAdjudicated} ({pct(t.adjudicationRate)})
        </dd>
        <dt>Adjudicator chose</dt>
        <dd>
          reader 1: {t.chosen.reader1}, reader 2: {t.chosen.reader2}
        </dd>
      </dl>
      <p class="small muted">Source: GET /trials/…/reader-stats, computed by the server from the signed reads and completed adjudications of this trial.</p>
      <div class="chart-grid">
        <BarChart
          id="adjudication-rate"
          title="Adjudication rate per reader"
          summary={`Share of each reader's compared subjects that went to adjudication: ${readers.map((r, i) => `${names[i]} ${pct(r.adjudicationRate)}`).join(', ')}`}
          labels={names}
          series={[{ label: 'Adjudication rate (%)', data: readers.map((r) => (r.adjudicationRate === null ? null : r.adjudicationRate * 100)), colour: '#7cc4ff' }]}
          yMin={0}
          yMax={100}
          yTitle="% of subjects"
        >
          <table class="grid compact" data-testid="table-adjudication-rate">
            <caption class="sr-only">Adjudication rate per reader</caption>
            <thead>
              <tr>
                <th scope="col">Reader</th>
                <th scope="col">Subjects</th>
                <th scope="col">Adjudicated</th>
                <th scope="col">Rate</th>
                <th scope="col">Chosen</th>
                <th scope="col">Not chosen</th>
                <th scope="col">Disagreement index</th>
              </tr>
            </thead>
            <tbody>
              {readers.map((r, i) => (
                <tr key={r.readerId}>
                  <th scope="row">{names[i]}</th>
                  <td>{r.subjectsCompared}</td>
                  <td>{r.subjectsAdjudicated}</td>
                  <td>{pct(r.adjudicationRate)}</td>
                  <td>{r.chosen}</td>
                  <td>{r.notChosen}</td>
                  <td>{pct(r.disagreementIndex)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </BarChart>

        <BarChart
          id="agreement"
          title="Agreement between readers (Cohen's kappa)"
          summary={`Timepoint response agreement: observed ${pct(t.timepointAgreement.observed)}, kappa ${num(t.timepointAgreement.kappa)}; best overall response: observed ${pct(t.bestOverallResponseAgreement.observed)}, kappa ${num(t.bestOverallResponseAgreement.kappa)}`}
          labels={['All readers', ...names]}
          series={[
            { label: 'Timepoint response kappa', data: [t.timepointAgreement.kappa, ...readers.map((r) => r.timepointAgreement.kappa)], colour: '#7cc4ff' },
            { label: 'Best overall response kappa', data: [t.bestOverallResponseAgreement.kappa, ...readers.map((r) => r.bestOverallResponseAgreement.kappa)], colour: '#d2a8ff' },
            { label: 'Observed timepoint agreement', data: [t.timepointAgreement.observed, ...readers.map((r) => r.timepointAgreement.observed)], colour: '#56d364' },
          ]}
          yMin={-1}
          yMax={1}
          yTitle="kappa / share"
        >
          <table class="grid compact" data-testid="table-agreement">
            <caption class="sr-only">Agreement between readers</caption>
            <thead>
              <tr>
                <th scope="col">Readers</th>
                <th scope="col">Timepoint pairs</th>
                <th scope="col">Observed</th>
                <th scope="col">Kappa</th>
                <th scope="col">BOR pairs</th>
                <th scope="col">BOR observed</th>
                <th scope="col">BOR kappa</th>
              </tr>
            </thead>
            <tbody>
              {[{ name: 'All readers', f: t }, ...readers.map((r, i) => ({ name: names[i], f: r }))].map(({ name, f }) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{f.timepointAgreement.n}</td>
                  <td>{pct(f.timepointAgreement.observed)}</td>
                  <td>{num(f.timepointAgreement.kappa)}</td>
                  <td>{f.bestOverallResponseAgreement.n}</td>
                  <td>{pct(f.bestOverallResponseAgreement.observed)}</td>
                  <td>{num(f.bestOverallResponseAgreement.kappa)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </BarChart>

        <BarChart
          id="ai-assist"
          title="AI assistance: what readers did with AI proposals"
          summary={`Measurements per reader by decision: ${readers.map((r, i) => `${names[i]} accepted ${r.aiAssist.accepted}, edited ${r.aiAssist.edited}, rejected ${r.aiAssist.rejected}, manual ${r.aiAssist.manual}`).join('; ')}`}
          labels={names}
          stacked
          series={[
            { label: 'Accepted', data: readers.map((r) => r.aiAssist.accepted), colour: '#56d364' },
            { label: 'Edited', data: readers.map((r) => r.aiAssist.edited), colour: '#e3b341' },
            { label: 'Rejected', data: readers.map((r) => r.aiAssist.rejected), colour: '#ff7b72' },
            { label: 'Manual (no proposal)', data: readers.map((r) => r.aiAssist.manual), colour: '#6e7b8a' },
          ]}
          integer
          yTitle="measurements"
        >
          <table class="grid compact" data-testid="table-ai-assist">
            <caption class="sr-only">AI assistance per reader</caption>
            <thead>
              <tr>
                <th scope="col">Reader</th>
                <th scope="col">Proposals</th>
                <th scope="col">Accepted</th>
                <th scope="col">Edited</th>
                <th scope="col">Rejected</th>
                <th scope="col">Manual</th>
                <th scope="col">Acceptance rate</th>
                <th scope="col">Mean edit</th>
              </tr>
            </thead>
            <tbody>
              {readers.map((r, i) => (
                <tr key={r.readerId}>
                  <th scope="row">{names[i]}</th>
                  <td>{r.aiAssist.proposals}</td>
                  <td>{r.aiAssist.accepted}</td>
                  <td>{r.aiAssist.edited}</td>
                  <td>{r.aiAssist.rejected}</td>
                  <td>{r.aiAssist.manual}</td>
                  <td>{pct(r.aiAssist.acceptanceRate)}</td>
                  <td>{r.aiAssist.meanEditMm === null ? '—' : `${num(r.aiAssist.meanEditMm, 1)} mm`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </BarChart>

        <BarChart
          id="causes"
          title="Discordance causes (completed adjudications)"
          summary={`Causes recorded by adjudicators: ${DISCORDANCE_CAUSES.map((c) => `${CAUSE_LABEL[c]} ${t.discordanceCauses[c] ?? 0}`).join(', ')}`}
          labels={DISCORDANCE_CAUSES.map((c) => CAUSE_LABEL[c])}
          series={[{ label: 'Adjudications', data: DISCORDANCE_CAUSES.map((c) => t.discordanceCauses[c] ?? 0), colour: '#d2a8ff' }]}
          yMin={0}
          integer
          yTitle="adjudications"
        >
          <table class="grid compact" data-testid="table-causes">
            <caption class="sr-only">Discordance causes</caption>
            <tbody>
              {DISCORDANCE_CAUSES.map((c) => (
                <tr key={c}>
                  <th scope="row">{CAUSE_LABEL[c]}</th>
                  <td>{t.discordanceCauses[c] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </BarChart>
      </div>
    </>
  );
}

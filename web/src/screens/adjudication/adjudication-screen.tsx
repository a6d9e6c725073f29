import { useLayoutEffect, useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { SUMMARY_ROWS, type TimepointPair, describeTrigger, formatFact, timepointPairs } from '../../reading/compare-reads.js';
import { type ReaderNo, caliperOf, calipersOfPair } from '../../reading/reader-calipers.js';
import { CAUSE_LABEL, DISCORDANCE_CAUSES, type AdjudicationView, type DiscordanceCause, type ReadContent, asAdjudication, labelOf, subjectName } from '../../reading/model.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, Notice, StateBadge } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';
import { ContentTables } from '../reading/content-tables.js';
import { SignForm } from '../reading/sign-form.js';
import { SignatureView } from '../reading/signature-view.js';
import { ViewerRegion } from '../reading/viewer-region.js';

/** What the images show: the calipers the reads record; a lesion measured without one has only its value. */
const CALIPERS_NOTE =
  "Each reader's measurements are drawn where they were taken (Reader 1 and Reader 2 in their own colours, on the slice of each caliper); a lesion whose read records no caliper (typed, or measured before calipers were kept) is listed without one. Choose a lesion in the tables to show it.";

/**
 * An adjudication: the two readers' signed reads side by side per timepoint with what differs marked, the charter
 * trigger that opened it, and the adjudicator's signed choice of reader 1 or 2 with a rationale and a coded cause.
 * An adjudicator sees the reads blinded: "Reader 1" and "Reader 2", never who read.
 */
export function AdjudicationScreen({ trialId, adjudicationId, caller }: { trialId: string; adjudicationId: string; caller: Caller }) {
  const loaded = useAsync(() => must(api.GET('/trials/{trialId}/adjudications/{adjudicationId}', { params: { path: { trialId, adjudicationId } } })).then(asAdjudication), [trialId, adjudicationId]);
  const [decided, setDecided] = useState<AdjudicationView | null>(null);
  // The signed decision replaces the form that had the focus: the focus moves to it.
  useLayoutEffect(() => {
    if (decided) document.getElementById('dec-h')?.focus();
  }, [decided]);
  const a = decided ?? loaded.data;
  if (!a) {
    return (
      <Page title="Adjudication">
        <ErrorBanner error={loaded.error} />
        {loaded.loading ? <Loading what="the adjudication" /> : null}
      </Page>
    );
  }
  const through = labelOf(a.throughTimepoint);
  const pairs = timepointPairs(a, labelOf);
  const worklist = mayCall('decideAdjudication', caller) ? pathOf('trials', trialId, 'adjudication') : null;
  return (
    <Page title={`Adjudication · ${subjectName(a.subject)} · through ${through}`} actions={worklist ? <Link to={worklist}>Adjudication worklist</Link> : undefined}>
      <dl class="facts inline-facts">
        <dt>State</dt>
        <dd>
          <StateBadge value={a.state} />
        </dd>
        <dt>Scope</dt>
        <dd>{a.scope === 'subject' ? `the subject, every timepoint through ${through}` : `timepoint ${through}`}</dd>
        {a.dueOn ? (
          <>
            <dt>Due</dt>
            <dd>{a.dueOn}</dd>
          </>
        ) : null}
        {a.assigneeName ? (
          <>
            <dt>Adjudicator</dt>
            <dd>{a.assigneeName}</dd>
          </>
        ) : null}
      </dl>
      {a.state === 'superseded' ? <Notice>This adjudication was superseded{a.supersededReason ? `: ${a.supersededReason}` : ''}. A newer one compares the current reads.</Notice> : null}
      <section class="panel triggers" aria-labelledby="trig-h" data-testid="triggers">
        <h2 id="trig-h">Why this adjudication opened</h2>
        <ul>
          {a.triggers.map((t, i) => (
            <li key={i}>{describeTrigger(t)}</li>
          ))}
        </ul>
      </section>
      {pairs.map((p, i) => (
        <TimepointComparison key={p.label} trialId={trialId} caller={caller} pair={p} baselines={i === 0 ? null : { 1: a.reads.reader1[0]?.content ?? null, 2: a.reads.reader2[0]?.content ?? null }} />
      ))}
      {a.decision ? (
        <section class="panel" aria-labelledby="dec-h" data-testid="decision">
          <h2 id="dec-h" tabIndex={-1}>
            Decision
          </h2>
          <dl class="facts">
            <dt>Chosen</dt>
            <dd>Reader {a.decision.chosenReaderNo}</dd>
            <dt>Cause</dt>
            <dd>{CAUSE_LABEL[a.decision.cause] ?? a.decision.cause}</dd>
            <dt>Rationale</dt>
            <dd class="message-body">{a.decision.rationale}</dd>
          </dl>
          <SignatureView signature={a.decision.signature} />
        </section>
      ) : a.state === 'open' && mayCall('decideAdjudication', caller) ? (
        <DecisionForm trialId={trialId} adjudication={a} onDecided={setDecided} />
      ) : null}
    </Page>
  );
}

function TimepointComparison({ trialId, caller, pair, baselines }: { trialId: string; caller: Caller; pair: TimepointPair; baselines: Record<1 | 2, ReadContent | null> | null }) {
  const id = `cmp-${pair.label}`;
  const [images, setImages] = useState(false);
  const timepoint = (pair.reader1 ?? pair.reader2)?.timepoint;
  const calipers = calipersOfPair({ 1: pair.reader1?.content ?? null, 2: pair.reader2?.content ?? null }, baselines);
  const [focus, setFocus] = useState<{ seriesId: string; k: number; seq: number } | null>(null);
  const mayView = !!timepoint && mayCall('listTimepointSeries', caller);
  /** Opens the images at a reader's caliper (the first one when the images are opened without a choice). */
  const show = (c: { seriesId: string; k: number } | null) => {
    if (c) setFocus((f) => ({ seriesId: c.seriesId, k: c.k, seq: (f?.seq ?? 0) + 1 }));
    setImages(true);
  };
  const showLesion = (no: ReaderNo) => (lesionId: string) => show(caliperOf(calipers, no, lesionId));
  return (
    <section class={`panel comparison${pair.triggered ? ' triggered' : ''}`} aria-labelledby={id} data-timepoint={pair.label}>
      <h2 id={id}>
        {pair.label}
        {pair.triggered ? <span class="badge badge-trigger">named by the trigger</span> : null}
        {pair.differs.size > 0 ? <span class="badge badge-differs">{pair.differs.size} difference{pair.differs.size === 1 ? '' : 's'}</span> : <span class="badge">no difference</span>}
      </h2>
      <table class="grid compare" data-testid={`compare-${pair.label}`}>
        <caption class="sr-only">Reader 1 and reader 2 at {pair.label}; differences marked</caption>
        <thead>
          <tr>
            <th scope="col">Fact</th>
            <th scope="col">Reader 1</th>
            <th scope="col">Reader 2</th>
          </tr>
        </thead>
        <tbody>
          {SUMMARY_ROWS.filter((r) => pair.s1?.[r.key] !== null || pair.s2?.[r.key] !== null).map((r) => {
            const d = pair.differs.has(r.key);
            return (
              <tr key={r.key} class={d ? 'differs' : undefined} data-fact={r.key} data-differs={d ? 'true' : undefined}>
                <th scope="row">
                  {r.label}
                  {d ? <span class="differs-mark"> ≠ differs</span> : null}
                </th>
                <td>{formatFact(r.key, pair.s1?.[r.key])}</td>
                <td>{formatFact(r.key, pair.s2?.[r.key])}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {mayView ? (
        <button type="button" aria-expanded={images} onClick={() => (images ? setImages(false) : show(focus ?? calipers[0] ?? null))}>
          {images ? `Hide the images of ${pair.label}` : `Show the images of ${pair.label}`}
        </button>
      ) : null}
      {images && timepoint ? <ViewerRegion caller={caller} trialId={trialId} timepoint={{ id: timepoint.id, label: pair.label }} note={CALIPERS_NOTE} readerCalipers={{ list: calipers, focus }} /> : null}
      <div class="side-by-side">
        {([1, 2] as const).map((no) => {
          const r = no === 1 ? pair.reader1 : pair.reader2;
          return (
            <div key={no} class="side" data-reader={no}>
              <h3>
                Reader {no}
                {r?.readerName ? `: ${r.readerName}` : ''} · version {r?.version ?? '—'}
              </h3>
              {r ? (
                <>
                  <ContentTables content={r.content} baseline={baselines?.[no] ?? null} idPrefix={`r${no}-${pair.label}`} onShowLesion={mayView ? showLesion(no) : undefined} showLabel={`show Reader ${no}'s caliper on the images of ${pair.label}`} />
                  <SignatureView signature={r.signature} />
                </>
              ) : (
                <p class="muted">No signed read.</p>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function DecisionForm({ trialId, adjudication, onDecided }: { trialId: string; adjudication: AdjudicationView; onDecided: (a: AdjudicationView) => void }) {
  const [chosen, setChosen] = useState<1 | 2 | null>(null);
  const [rationale, setRationale] = useState('');
  const [cause, setCause] = useState<DiscordanceCause | ''>('');
  const ready = chosen !== null && rationale.trim() !== '' && cause !== '';
  return (
    <section class="panel decide" aria-labelledby="decide-h">
      <h2 id="decide-h">Decide</h2>
      <SignForm
        legend="Choose the read of record and sign"
        statement={`I adjudicated this subject through ${labelOf(adjudication.throughTimepoint)}: reader ${chosen ?? '…'}'s reads are the assessment of record`}
        meaning="adjudicated"
        button="Sign decision"
        disabled={!ready}
        disabledWhy="Choose a reader, give the rationale and the cause."
        onSign={async (password) => {
          onDecided(
            asAdjudication(
              await must(
                api.POST('/trials/{trialId}/adjudications/{adjudicationId}/decision', {
                  params: { path: { trialId, adjudicationId: adjudication.id } },
                  body: { chosenReaderNo: chosen!, rationale: rationale.trim(), cause: cause as DiscordanceCause, password },
                }),
              ),
            ),
          );
        }}
      >
        <fieldset class="choice">
          <legend>Read of record</legend>
          {([1, 2] as const).map((no) => (
            <label class="radio" key={no}>
              <input type="radio" name="chosen-reader" checked={chosen === no} onChange={() => setChosen(no)} />
              Reader {no}
            </label>
          ))}
        </fieldset>
        <label>
          Rationale
          <textarea required maxLength={4000} value={rationale} onInput={(e) => setRationale(e.currentTarget.value)} />
        </label>
        <label>
          Discordance cause
          <select value={cause} onChange={(e) => setCause(e.currentTarget.value as DiscordanceCause)}>
            <option value="" disabled>
              choose…
            </option>
            {DISCORDANCE_CAUSES.map((c) => (
              <option key={c} value={c}>
                {CAUSE_LABEL[c]}
              </option>
            ))}
          </select>
        </label>
      </SignForm>
    </section>
  );
}

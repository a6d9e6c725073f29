import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';
import { ViewerRegion } from '../reading/viewer-region.js';

/** A coded QC finding as the server's image QC writes it (src/domain/qc/image-qc.ts). */
interface Finding {
  code: string;
  severity: 'error' | 'warning';
  detail: string;
  seriesId?: string;
}
const isFinding = (x: unknown): x is Finding => typeof x === 'object' && x !== null && typeof (x as Finding).code === 'string' && typeof (x as Finding).detail === 'string';

/** Legal QC decisions per visit state (the server's rule in src/services/ingest/qc-review.ts). */
const DECISIONS: Record<string, Array<'release' | 'fail'>> = { received: ['release', 'fail'], qc_failed: ['release'], released: ['fail'] };

type Item = NonNullable<Awaited<ReturnType<typeof loadQueue>>>[number];
const loadQueue = (trialId: string) => must(api.GET('/trials/{trialId}/qc/queue', { params: { path: { trialId } } }));

export function QcQueueScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const queue = useAsync(() => loadQueue(trialId), [trialId]);
  return (
    <Page title="QC queue" actions={<Link to={pathOf('trials', trialId, 'queries')}>Queries</Link>}>
      <ErrorBanner error={queue.error} />
      {queue.loading && !queue.data ? <Loading what="the QC queue" /> : null}
      {queue.data && queue.data.length === 0 ? <p>No visit with images is waiting for QC review.</p> : null}
      {queue.data?.map((item) => (
        <QueueItem key={item.timepoint?.id} trialId={trialId} item={item} caller={caller} onChange={queue.reload} />
      ))}
    </Page>
  );
}

function QueueItem({ trialId, item, caller, onChange }: { trialId: string; item: Item; caller: Caller; onChange: () => void }) {
  const tp = item.timepoint!;
  const qc = item.qc as { outcome: string; findings: unknown[]; evaluatedAt: string; overrideReason: string | null } | null | undefined;
  const findings = (qc?.findings ?? []).filter(isFinding);
  const headingId = `qc-${tp.id}`;
  const [images, setImages] = useState(false);
  return (
    <article class="panel qc-item" aria-labelledby={headingId} data-timepoint={tp.id}>
      <h2 id={headingId}>
        {item.subjectCode} · {tp.label} <StateBadge value={tp.state} />
      </h2>
      <dl class="facts">
        <dt>QC outcome</dt>
        <dd>{qc ? <StateBadge value={qc.outcome} /> : <span class="muted">not evaluated</span>}</dd>
        <dt>Evaluated</dt>
        <dd>{formatTime(qc?.evaluatedAt)}</dd>
        <dt>Acquired</dt>
        <dd>{tp.acquiredOn ?? '—'}</dd>
        <dt>Open queries</dt>
        <dd>{item.openQueries ?? 0}</dd>
        {qc?.overrideReason ? (
          <>
            <dt>Decision reason</dt>
            <dd>{qc.overrideReason}</dd>
          </>
        ) : null}
      </dl>
      {findings.length > 0 ? (
        <table class="grid">
          <caption>Findings</caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Finding</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f, i) => (
              <tr key={i}>
                <td>
                  <StateBadge value={f.severity} />
                </td>
                <td>{f.code}</td>
                <td>{f.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : qc ? (
        <p class="muted">No findings.</p>
      ) : null}
      {mayCall('listTimepointSeries', caller) ? (
        <button type="button" aria-expanded={images} onClick={() => setImages(!images)}>
          {images ? `Hide the images of ${tp.label}` : `Show the images of ${tp.label}`}
        </button>
      ) : null}
      {images ? <ViewerRegion caller={caller} trialId={trialId} timepoint={{ id: tp.id, label: `${item.subjectCode} · ${tp.label}` }} /> : null}
      <div class="forms-row">
        {mayCall('decideQc', caller) && (DECISIONS[tp.state] ?? []).length > 0 ? <DecisionForm key={tp.state} trialId={trialId} timepointId={tp.id} choices={DECISIONS[tp.state]} onDone={onChange} /> : null}
        {mayCall('raiseQuery', caller) ? <RaiseQueryForm trialId={trialId} timepointId={tp.id} onDone={onChange} /> : null}
      </div>
    </article>
  );
}

function DecisionForm({ trialId, timepointId, choices, onDone }: { trialId: string; timepointId: string; choices: Array<'release' | 'fail'>; onDone: () => void }) {
  const [decision, setDecision] = useState(choices[0]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/trials/{trialId}/timepoints/{timepointId}/qc/decision', { params: { path: { trialId, timepointId } }, body: { decision, reason } }));
      setReason('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      <fieldset>
        <legend>QC decision</legend>
        {choices.map((c) => (
          <label class="radio" key={c}>
            <input type="radio" name={`decision-${timepointId}`} value={c} checked={decision === c} onChange={() => setDecision(c)} />
            {c === 'release' ? 'Release for reading' : 'Fail (opens a query to the site)'}
          </label>
        ))}
        <label>
          Reason (recorded in the audit trail)
          <textarea required maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy || !reason.trim()}>
          Record decision
        </button>
        <ErrorBanner error={error} />
      </fieldset>
    </form>
  );
}

function RaiseQueryForm({ trialId, timepointId, onDone }: { trialId: string; timepointId: string; onDone: () => void }) {
  const [title, setTitle] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/trials/{trialId}/queries', { params: { path: { trialId } }, body: { timepointId, title, message } }));
      setTitle('');
      setMessage('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit}>
      <fieldset>
        <legend>Raise a query to the site</legend>
        <label>
          Title
          <input required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </label>
        <label>
          Message
          <textarea required maxLength={5000} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || !title.trim() || !message.trim()}>
          Raise query
        </button>
        <ErrorBanner error={error} />
      </fieldset>
    </form>
  );
}

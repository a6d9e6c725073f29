import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { CRITERIA_LABEL, type Measurement, type ReadContent, type ReadVersion, type ReadView, asRead, labelOf, subjectName } from '../../reading/model.js';
import { measurableLesions, measurementOf, withMeasurement } from '../../reading/lesion-measurements.js';
import { baselineOf, contentForSave, isBaselineRead, startingContent } from '../../reading/read-form.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, Notice, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';
import { ContentTables } from './content-tables.js';
import { BaselineEditor, type Edit, FollowupEditor } from './lesion-editor.js';
import { OverrideSection } from './override-form.js';
import { ProblemList, ResponsePanel } from './response-panel.js';
import { SignForm } from './sign-form.js';
import { SignatureView } from './signature-view.js';
import type { ImageViewerProps } from '../../viewer/image-viewer.js';
import { ViewerRegion } from './viewer-region.js';

const AUTOSAVE_MS = 700;

/** One read: the reader's workstation while it is open or a draft; read-only with its signature once signed. */
export function ReadScreen({ trialId, readId, caller }: { trialId: string; readId: string; caller: Caller }) {
  const loaded = useAsync(() => must(api.GET('/trials/{trialId}/reads/{readId}', { params: { path: { trialId, readId } } })).then(asRead), [trialId, readId]);
  if (!loaded.data) {
    return (
      <Page title="Read">
        <ErrorBanner error={loaded.error} />
        {loaded.loading ? <Loading what="the read" /> : null}
      </Page>
    );
  }
  return <LoadedRead key={readId} trialId={trialId} initial={loaded.data} caller={caller} />;
}

/** "I authored this RECIST 1.1 read": the criteria the read's responses are computed under (RECIST 1.1 at baseline). */
function statementFor(read: ReadView, corrected = false): string {
  const criteria = read.live?.evaluation?.responses.map((r) => CRITERIA_LABEL[r.criteria]) ?? read.versions.at(-1)?.evaluation?.responses.map((r) => CRITERIA_LABEL[r.criteria]) ?? [];
  return `I authored this ${corrected ? 'corrected ' : ''}${criteria.length ? criteria.join(' and ') : 'RECIST 1.1'} read`;
}

function LoadedRead({ trialId, initial, caller }: { trialId: string; initial: ReadView; caller: Caller }) {
  const [read, setReadState] = useState(initial);
  // After a signature (or a signed correction) the form that had the focus is gone: the focus moves to the
  // signature now shown, so keyboard and screen-reader users land on what they just did.
  const focusNext = useRef<string | null>(null);
  const setRead = (r: ReadView) => {
    if (r.state === 'signed' && (read.state !== 'signed' || r.currentVersion !== read.currentVersion)) focusNext.current = 'sig-h';
    setReadState(r);
  };
  useLayoutEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });
  const label = labelOf(read.timepoint);
  const isReader = mayCall('saveReadDraft', caller) && read.readerNo === undefined;
  const editable = isReader && (read.state === 'open' || read.state === 'draft');
  const worklist = mayCall('saveReadDraft', caller) ? pathOf('trials', trialId, 'reading') : null;
  // The viewer shows this timepoint beside the previous one the reader signed (the baseline at TP1).
  const prior = read.previous.at(-1)?.timepoint;
  const viewer: ViewerPlace = { caller, trialId, timepoint: { id: read.timepoint.id, label }, previous: prior ? { id: prior.id, label: labelOf(prior) } : null };
  return (
    <Page title={`Read · ${subjectName(read.subject)} · ${label}`} actions={worklist ? <Link to={worklist}>Reading worklist</Link> : undefined}>
      <dl class="facts inline-facts" data-testid="read-facts">
        <dt>Timepoint</dt>
        <dd>{label}</dd>
        <dt>State</dt>
        <dd>
          <StateBadge value={read.state} />
        </dd>
        <dt>Due</dt>
        <dd>{read.dueOn}</dd>
        <dt>Version</dt>
        <dd>{read.currentVersion || '—'}</dd>
        {read.readerName ? (
          <>
            <dt>Reader</dt>
            <dd>
              Reader {read.readerNo}: {read.readerName}
            </dd>
          </>
        ) : null}
      </dl>
      <div class="read-layout">
        {editable ? null : read.state === 'waiting' ? (
          <section class="viewer-region" aria-label="Images">
            <p class="muted">The images open with the read.</p>
          </section>
        ) : (
          <ViewerRegion {...viewer} />
        )}
        {read.state === 'waiting' ? (
          <div class="read-main">
            <Notice>This timepoint opens once your read of the previous timepoint is signed: timepoints are read in order.</Notice>
          </div>
        ) : editable ? (
          <ReadEditor trialId={trialId} read={read} onRead={setRead} viewer={viewer} />
        ) : (
          <VersionsView trialId={trialId} read={read} onRead={setRead} mayCorrect={isReader && read.state === 'signed' && mayCall('correctRead', caller)} />
        )}
      </div>
    </Page>
  );
}

// ---- the workstation: edit, autosave, live response, sign -----------------------------------------------------

type ViewerPlace = Omit<ImageViewerProps, 'assist'> & { caller: Caller };

function ReadEditor({ trialId, read, onRead, viewer }: { trialId: string; read: ReadView; onRead: (r: ReadView) => void; viewer: ViewerPlace }) {
  const [content, setContent] = useState<ReadContent>(() => startingContent(read));
  const contentRef = useRef(content);
  const [edits, setEdits] = useState(0);
  const [saved, setSaved] = useState(0);
  const [failedAt, setFailedAt] = useState(-1);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const inFlight = useRef<Promise<ReadView> | null>(null);
  const editsRef = useRef(0);
  const savedRef = useRef(0);
  const readId = read.id;
  const baselineRead = isBaselineRead(read);

  const edit: Edit = (fn) => {
    const next = fn(contentRef.current);
    contentRef.current = next;
    setContent(next);
    editsRef.current += 1;
    setEdits(editsRef.current);
  };

  /** Saves what is on screen now; a save already under way is waited for first (saves never overlap). */
  const save = async (): Promise<ReadView> => {
    while (inFlight.current) await inFlight.current.catch(() => undefined);
    const upTo = editsRef.current;
    const run = (async () => {
      setSaving(true);
      try {
        const r = asRead(await must(api.PUT('/trials/{trialId}/reads/{readId}/draft', { params: { path: { trialId, readId } }, body: contentForSave(contentRef.current) })));
        savedRef.current = Math.max(savedRef.current, upTo);
        setSaved(savedRef.current);
        setSaveError(null);
        setSavedAt(new Date().toISOString());
        onRead(r);
        return r;
      } catch (e) {
        setFailedAt(upTo);
        setSaveError(e);
        throw e;
      } finally {
        setSaving(false);
      }
    })();
    inFlight.current = run;
    try {
      return await run;
    } finally {
      inFlight.current = null;
    }
  };

  // Leaving the screen (in-app navigation) saves what was not saved yet; closing the tab asks first.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (editsRef.current > savedRef.current) e.preventDefault();
    };
    addEventListener('beforeunload', warn);
    return () => {
      removeEventListener('beforeunload', warn);
      if (editsRef.current <= savedRef.current) return;
      const body = contentForSave(contentRef.current);
      void (inFlight.current ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => api.PUT('/trials/{trialId}/reads/{readId}/draft', { params: { path: { trialId, readId } }, body }))
        .catch(() => undefined);
    };
  }, []);

  // Autosave: shortly after the last change; a failed save is retried on the next change, not in a loop.
  useEffect(() => {
    if (edits <= saved || saving || failedAt === edits) return;
    const t = setTimeout(() => void save().catch(() => undefined), AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [edits, saved, saving, failedAt]);

  const dirty = edits > saved;
  const problems = read.live?.problems ?? [];
  const sign = async (password: string) => {
    const current = dirty || read.state === 'open' ? await save() : read;
    if ((current.live?.problems ?? []).length > 0) throw new Error('the read is not complete: see the list above the signature');
    onRead(asRead(await must(api.POST('/trials/{trialId}/reads/{readId}/sign', { params: { path: { trialId, readId } }, body: { password } }))));
  };
  const previous = read.previous.at(-1);
  const baseline = baselineRead ? null : baselineOf(read);
  // AI assistance in the viewer writes measurements through the same edit as the forms (autosave, live response).
  const assist = mayCall('requestSegmentation', viewer.caller)
    ? {
        lesions: measurableLesions(content, baseline),
        measurementOf: (id: string) => measurementOf(contentRef.current, id),
        onMeasure: (id: string, m: Measurement) => edit((c) => withMeasurement(c, id, m, !baselineRead)),
        propagateFrom: baseline
          ? { timepointId: read.previous[0].timepoint.id, label: labelOf(read.previous[0].timepoint), lesions: baseline.targets.map((t) => ({ id: t.id, nodal: t.nodal === true, measurement: t.measurement })) }
          : undefined,
      }
    : undefined;
  return (
    <>
      <ViewerRegion {...viewer} assist={assist} />
      <div class="read-main">
        <p class="save-state" role="status" aria-live="polite" data-testid="save-state">
          {saving ? 'Saving…' : dirty ? 'Unsaved changes' : savedAt ? `Draft saved at ${formatTime(savedAt)}` : read.state === 'draft' ? `Draft version ${read.currentVersion}` : 'Not saved yet'}
        </p>
        <ErrorBanner error={saveError} prefix="Not saved" />
        {baselineRead ? (
          <BaselineEditor content={content} edit={edit} />
        ) : (
          <FollowupEditor content={content} edit={edit} baseline={baselineOf(read)!} previous={read.previous.length > 1 ? (previous?.content ?? null) : null} previousLabel={read.previous.length > 1 && previous ? labelOf(previous.timepoint) : null} />
        )}
        {baselineRead ? null : <OverrideSection content={content} edit={edit} evaluation={read.live?.evaluation ?? null} />}
        <section class="panel">
          <label class="form">
            Notes (your own, kept with the read)
            <textarea maxLength={4000} value={content.notes ?? ''} onInput={(e) => edit((c) => ({ ...c, notes: e.currentTarget.value }))} />
          </label>
          <div class="button-row">
            <button type="button" onClick={() => void save().catch(() => undefined)} disabled={saving}>
              Save now
            </button>
          </div>
        </section>
      </div>
      <aside class="read-side" aria-label="Response and signature">
        <section class="panel" aria-labelledby="live-h">
          <h2 id="live-h">Response (computed by the server)</h2>
          {dirty ? <p class="small muted">Shown for the last saved draft; your latest changes are being saved.</p> : null}
          {read.live ? <ResponsePanel evaluation={read.live.evaluation} label={labelOf(read.timepoint)} baseline={baselineRead} headingLevel={3} /> : <p class="muted">Save the read to see the computed response.</p>}
          {read.live ? <ProblemList problems={problems} content={content} /> : null}
        </section>
        <SignForm
          legend="Sign this read"
          statement={statementFor(read)}
          meaning="authored"
          button="Sign read"
          disabled={!dirty && read.state === 'draft' && problems.length > 0}
          disabledWhy="The read can be signed once nothing is listed under “Before this read can be signed”."
          onSign={sign}
        />
      </aside>
    </>
  );
}

// ---- signed (or staff) view: every version, its signature, corrections ----------------------------------------

function VersionsView({ trialId, read, onRead, mayCorrect }: { trialId: string; read: ReadView; onRead: (r: ReadView) => void; mayCorrect: boolean }) {
  const [shown, setShown] = useState(read.currentVersion);
  const [correcting, setCorrecting] = useState(false);
  useEffect(() => setShown(read.currentVersion), [read.currentVersion]);
  const version = read.versions.find((v) => v.version === shown) ?? read.versions.at(-1);
  const label = labelOf(read.timepoint);
  const baseline = isBaselineRead(read) ? null : baselineOf(read);
  if (!version) return <div class="read-main"><p>Nothing has been recorded for this read yet.</p></div>;
  return (
    <>
      <div class="read-main">
        {read.versions.length > 1 ? (
          <div class="button-row" role="group" aria-label="Versions">
            {read.versions.map((v) => (
              <button type="button" key={v.version} aria-pressed={v.version === version.version} onClick={() => setShown(v.version)}>
                Version {v.version} ({v.state})
              </button>
            ))}
          </div>
        ) : null}
        <VersionDetail version={version} baseline={baseline} idPrefix={`v${version.version}`} />
        {mayCorrect && version.version === read.currentVersion && !correcting ? (
          <button type="button" onClick={() => setCorrecting(true)}>
            Correct this read
          </button>
        ) : null}
        {correcting ? (
          <CorrectionForm
            trialId={trialId}
            read={read}
            onCancel={() => setCorrecting(false)}
            onDone={(r) => {
              setCorrecting(false);
              onRead(r);
            }}
          />
        ) : null}
      </div>
      <aside class="read-side" aria-label="Response and signature">
        <section class="panel" aria-labelledby="resp-h" data-testid="version-response">
          <h2 id="resp-h">
            Response · version {version.version}
            {version.state === 'draft' ? ' (live, draft)' : ''}
          </h2>
          <ResponsePanel evaluation={version.state === 'draft' ? (read.live?.evaluation ?? null) : version.evaluation} label={label} baseline={baseline === null} headingLevel={3} />
        </section>
        <section class="panel" aria-labelledby="sig-h">
          <h2 id="sig-h" tabIndex={-1}>
            Signature · version {version.version}
          </h2>
          <SignatureView signature={version.signature} />
        </section>
      </aside>
    </>
  );
}

function VersionDetail({ version, baseline, idPrefix }: { version: ReadVersion; baseline: ReadContent | null; idPrefix: string }) {
  return (
    <section class="panel" aria-labelledby={`${idPrefix}-h`} data-testid="version" data-version={version.version} data-state={version.state}>
      <h2 id={`${idPrefix}-h`}>
        Version {version.version} <StateBadge value={version.state} />
      </h2>
      {version.reason ? <p>Correction reason: {version.reason}</p> : null}
      {version.signedAt ? <p class="small muted">Signed {formatTime(version.signedAt)}</p> : null}
      <ContentTables content={version.content} baseline={baseline} idPrefix={idPrefix} />
    </section>
  );
}

/** A correction: the signed content edited, a reason, and a new signature; the signed version stays readable. */
function CorrectionForm({ trialId, read, onCancel, onDone }: { trialId: string; read: ReadView; onCancel: () => void; onDone: (r: ReadView) => void }) {
  const current = read.versions.find((v) => v.version === read.currentVersion)!;
  const [content, setContent] = useState<ReadContent>(() => structuredClone(current.content));
  const [reason, setReason] = useState('');
  const edit: Edit = (fn) => setContent((c) => fn(c));
  const baseline = isBaselineRead(read) ? null : baselineOf(read);
  return (
    <section class="panel correction" aria-labelledby="correct-h">
      <h2 id="correct-h">Correct version {current.version}</h2>
      <p class="small muted">The correction becomes version {current.version + 1}, signed by you; version {current.version} stays readable. The response is computed when it is signed.</p>
      {baseline ? <FollowupEditor content={content} edit={edit} baseline={baseline} previous={null} previousLabel={null} /> : <BaselineEditor content={content} edit={edit} />}
      <SignForm
        legend="Sign the correction"
        statement={statementFor(read, true)}
        meaning="authored"
        button="Sign correction"
        disabled={!reason.trim()}
        disabledWhy="A correction needs a reason."
        onSign={async (password) => {
          onDone(asRead(await must(api.POST('/trials/{trialId}/reads/{readId}/corrections', { params: { path: { trialId, readId: read.id } }, body: { reason: reason.trim(), content: contentForSave(content), password } }))));
        }}
      >
        <label>
          Reason for the correction
          <textarea required maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      </SignForm>
      <button type="button" onClick={onCancel}>
        Cancel correction
      </button>
    </section>
  );
}

import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { type Schemas, api, must } from '../../api/client.js';
import { describeError } from '../../api/problem.js';
import { sendUploadFile } from '../../api/upload-file.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, Notice, StateBadge, formatBytes, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';
import { type PickedFile, fromDataTransfer, fromFileList } from '../../upload/collect-files.js';
import { type QueuedFile, mayComplete, summarize, uploadQueue } from '../../upload/upload-queue.js';
import { TERMINAL_JOB_STATES, useJob } from '../../upload/use-job.js';

type Upload = Schemas['Upload'];

/** Files in flight at once: enough to keep the connection busy, few enough that each bar moves visibly. */
const PARALLEL = 3;

// The open upload of a visit survives a reload of the tab: its id is kept per visit, and the screen picks it up
// again (files already on the server stay there; only the missing ones are sent again).
const openUploadKey = (timepointId: string) => `corelab.upload.${timepointId}`;

export function VisitUploadScreen({ trialId, subjectId, timepointId }: { trialId: string; subjectId: string; timepointId: string }) {
  const visit = useAsync(
    () => must(api.GET('/trials/{trialId}/subjects/{subjectId}/visits', { params: { path: { trialId, subjectId } } })).then((vs) => vs.find((v) => v.timepointId === timepointId) ?? null),
    [trialId, subjectId, timepointId],
  );
  const [queue, dispatch] = useReducer(uploadQueue, []);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [resuming, setResuming] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const uploadRef = useRef<Upload | null>(null);
  uploadRef.current = upload;
  const summary = summarize(queue);

  // Pick up an upload this tab opened earlier for the visit.
  useEffect(() => {
    const id = sessionStorage.getItem(openUploadKey(timepointId));
    if (!id) return setResuming(false);
    must(api.GET('/trials/{trialId}/uploads/{uploadId}', { params: { path: { trialId, uploadId: id } } }))
      .then(setUpload, () => sessionStorage.removeItem(openUploadKey(timepointId)))
      .finally(() => setResuming(false));
  }, [trialId, timepointId]);

  // One upload per visit session: concurrent sends (a retry while others run) share the one being opened.
  const opening = useRef<Promise<Upload> | null>(null);
  const ensureUpload = (): Promise<Upload> => {
    if (uploadRef.current?.state === 'open') return Promise.resolve(uploadRef.current);
    opening.current ??= must(api.POST('/trials/{trialId}/uploads', { params: { path: { trialId } }, body: { subjectId, timepointId } }))
      .then((u) => {
        sessionStorage.setItem(openUploadKey(timepointId), u.id);
        uploadRef.current = u;
        setUpload(u);
        return u;
      })
      .finally(() => {
        opening.current = null;
      });
    return opening.current;
  };

  const sendOne = async (u: Upload, q: QueuedFile) => {
    dispatch({ type: 'sending', key: q.key });
    try {
      const after = await sendUploadFile(trialId, u.id, q.file, (sentBytes) => dispatch({ type: 'progress', key: q.key, sentBytes }));
      dispatch({ type: 'sent', key: q.key });
      setUpload(after);
    } catch (e) {
      dispatch({ type: 'failed', key: q.key, error: describeError(e) });
    }
  };

  const send = async (files: QueuedFile[]) => {
    setError(null);
    setBusy(true);
    try {
      const u = await ensureUpload();
      const todo = [...files];
      await Promise.all(
        Array.from({ length: Math.min(PARALLEL, todo.length) }, async () => {
          for (let q = todo.shift(); q; q = todo.shift()) await sendOne(u, q);
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const retry = (q: QueuedFile) => {
    dispatch({ type: 'retry', key: q.key });
    void send([{ ...q, state: 'pending' }]);
  };

  const complete = async () => {
    if (!upload) return;
    setError(null);
    setBusy(true);
    try {
      await must(api.POST('/trials/{trialId}/uploads/{uploadId}/complete', { params: { path: { trialId, uploadId: upload.id } } }));
      sessionStorage.removeItem(openUploadKey(timepointId));
      setUpload(await must(api.GET('/trials/{trialId}/uploads/{uploadId}', { params: { path: { trialId, uploadId: upload.id } } })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const add = (files: PickedFile[]) => dispatch({ type: 'add', files });
  const open = upload?.state === 'open' || !upload;
  const title = visit.data ? `Upload images: ${visit.data.label}` : 'Upload images';

  return (
    <Page title={title} actions={<Link to={pathOf('trials', trialId, 'subjects', subjectId)}>Back to the subject's visits</Link>}>
      <ErrorBanner error={visit.error} />
      {visit.data === null ? <ErrorBanner error={new Error('This visit is not one of the subject’s visits.')} /> : null}
      {resuming ? <Loading what="the open upload" /> : null}
      {upload ? <UploadStatus trialId={trialId} upload={upload} onUpdate={setUpload} /> : null}
      {queue.length > 0 ? <FileTable queue={queue} onRetry={retry} onRemove={(key) => dispatch({ type: 'remove', key })} /> : null}
      {open && !resuming ? (
        <>
          <DropZone onFiles={add} disabled={busy && summary.sending > 0} />
          <div class="button-row">
            <button type="button" class="primary" disabled={busy || summary.pending === 0 || summary.sending > 0} onClick={() => send(queue.filter((q) => q.state === 'pending'))}>
              Send {summary.pending} {summary.pending === 1 ? 'file' : 'files'}
            </button>
            {summary.failed > 0 ? (
              <button type="button" disabled={summary.sending > 0} onClick={() => queue.filter((q) => q.state === 'failed').forEach(retry)}>
                Retry {summary.failed} failed
              </button>
            ) : null}
            <button type="button" disabled={busy || !upload || upload.state !== 'open' || upload.fileCount === 0 || !(summary.total === 0 || mayComplete(summary))} onClick={complete}>
              Complete upload and start ingest
            </button>
          </div>
          <p class="muted small" aria-live="polite">
            {summary.total > 0
              ? `${summary.sent} of ${summary.total} files sent (${formatBytes(summary.sentBytes)} of ${formatBytes(summary.bytes)})${summary.failed ? `, ${summary.failed} failed: retry or remove them before completing` : ''}.`
              : upload?.state === 'open'
                ? 'Add more files, or complete the upload.'
                : 'Drop a folder, a zip archive or DICOM files to start.'}
          </p>
        </>
      ) : null}
      <ErrorBanner error={error} />
    </Page>
  );
}

function DropZone({ onFiles, disabled }: { onFiles: (f: PickedFile[]) => void; disabled: boolean }) {
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Not in the JSX typings: the folder picker attribute (Chromium, Firefox, Safari).
    folder.current?.setAttribute('webkitdirectory', '');
  }, []);
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer) onFiles(await fromDataTransfer(e.dataTransfer));
  };
  const fromInput = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    if (input.files) onFiles(fromFileList(input.files));
    input.value = '';
  };
  return (
    <div
      class={`dropzone${over ? ' over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      aria-describedby="dropzone-help"
    >
      <p id="dropzone-help">Drop a visit’s folder, a zip archive or DICOM files here, or choose them:</p>
      <div class="button-row">
        <button type="button" disabled={disabled} onClick={() => files.current?.click()}>
          Choose files…
        </button>
        <button type="button" disabled={disabled} onClick={() => folder.current?.click()}>
          Choose a folder…
        </button>
      </div>
      <input ref={files} class="sr-only" type="file" multiple aria-label="DICOM files or zip archives" tabIndex={-1} onChange={fromInput} />
      <input ref={folder} class="sr-only" type="file" multiple aria-label="Folder of DICOM files" tabIndex={-1} onChange={fromInput} />
    </div>
  );
}

const STATE_TEXT: Record<QueuedFile['state'], string> = { pending: 'waiting', sending: 'sending', sent: 'sent', failed: 'failed' };

function FileTable({ queue, onRetry, onRemove }: { queue: QueuedFile[]; onRetry: (q: QueuedFile) => void; onRemove: (key: string) => void }) {
  return (
    <table class="grid files">
      <caption>Files of this upload</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Size</th>
          <th scope="col">Progress</th>
          <th scope="col">State</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {queue.map((q) => (
          <tr key={q.key} data-file={q.relPath} data-state={q.state}>
            <th scope="row" class="path">
              {q.relPath}
            </th>
            <td>{formatBytes(q.file.size)}</td>
            <td>
              <progress max={q.file.size || 1} value={q.file.size ? q.sentBytes : q.state === 'sent' ? 1 : 0} aria-label={`Progress of ${q.relPath}`} />
            </td>
            <td>
              <StateBadge value={STATE_TEXT[q.state]} />
              {q.error ? <span class="error-text"> {q.error}</span> : null}
            </td>
            <td>
              {q.state === 'failed' ? (
                <button type="button" onClick={() => onRetry(q)} aria-label={`Retry ${q.relPath}`}>
                  Retry
                </button>
              ) : null}
              {q.state === 'pending' || q.state === 'failed' ? (
                <button type="button" onClick={() => onRemove(q.key)} aria-label={`Remove ${q.relPath}`}>
                  Remove
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const OUTCOME_TEXT: Record<'ingested' | 'duplicate' | 'quarantined' | 'refused', string> = {
  ingested: 'ingested',
  duplicate: 'duplicate (already received)',
  quarantined: 'quarantined (not shown to readers)',
  refused: 'refused',
};

/** The upload on the server: its state, the ingest job's progress, and once ingested the outcome of every file. */
function UploadStatus({ trialId, upload, onUpdate }: { trialId: string; upload: Upload; onUpdate: (u: Upload) => void }) {
  const { job, error } = useJob(upload.jobId ?? null);
  const ended = job ? TERMINAL_JOB_STATES.includes(job.state) : false;
  useEffect(() => {
    // The job's end changes the upload (state, per-file outcome): read it once more.
    if (!ended) return;
    must(api.GET('/trials/{trialId}/uploads/{uploadId}', { params: { path: { trialId, uploadId: upload.id } } })).then(onUpdate, () => undefined);
  }, [ended, trialId, upload.id]);
  return (
    <section class="panel" aria-labelledby="upload-status-title">
      <h2 id="upload-status-title">Upload on the server</h2>
      <dl class="facts">
        <dt>State</dt>
        <dd data-testid="upload-state">
          <StateBadge value={upload.state} />
        </dd>
        <dt>Files received</dt>
        <dd>
          {upload.fileCount} ({formatBytes(upload.bytes)})
        </dd>
        <dt>Opened</dt>
        <dd>{formatTime(upload.createdAt)}</dd>
        {upload.jobId ? (
          <>
            <dt>Ingest</dt>
            <dd data-testid="ingest-job">
              {job ? (
                <>
                  <StateBadge value={job.state} /> <progress max={1} value={job.progress} aria-label="Ingest progress" /> {Math.round(job.progress * 100)}%
                  {job.state === 'queued' ? <span class="muted"> waiting for an ingest worker since {formatTime(job.createdAt)}</span> : null}
                  {job.error ? <span class="error-text"> {job.error}</span> : null}
                </>
              ) : (
                <Loading what="the ingest job" />
              )}
              <ErrorBanner error={error} />
            </dd>
          </>
        ) : null}
      </dl>
      {upload.state === 'open' ? <Notice>This upload is open: add files below and complete it when the visit is all there.</Notice> : null}
      {upload.outcome && upload.outcome.length > 0 ? (
        <table class="grid">
          <caption>Outcome of every file</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Entry</th>
              <th scope="col">Outcome</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {upload.outcome.map((o) => (
              <tr key={`${o.ordinal}-${o.entry ?? ''}`}>
                <td>{o.ordinal}</td>
                <td class="path">{o.entry ?? '—'}</td>
                <td>
                  <StateBadge value={OUTCOME_TEXT[o.outcome]} />
                </td>
                <td>{o.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../../api/client.js';
import { describeError } from '../../api/problem.js';
import { type ConformanceFinding, type Export, type ExportFile, MANIFEST_FILE, type Verification, downloadability, findingsInOrder, isBuilding, progressPercent } from '../../exports/export-model.js';
import { downloadVerified } from '../../exports/verified-download.js';
import { pathOf } from '../../router.js';
import { TERMINAL_JOB_STATES, useJob } from '../../upload/use-job.js';
import { ErrorBanner, Loading, StateBadge, formatBytes, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

// One data cut: its build (the job's state and progress, followed until it ends), its conformance outcome with
// every finding, and its files with their SHA-256. A file downloads through the API, is hashed in the browser
// and is saved only when the hash matches the manifest; a failed cut offers nothing to download and says why.

export function ExportDetailScreen({ trialId, exportId }: { trialId: string; exportId: string }) {
  const exp = useAsync(() => must(api.GET('/trials/{trialId}/exports/{exportId}', { params: { path: { trialId, exportId } } })), [trialId, exportId]);
  const e = exp.data;
  const building = e ? isBuilding(e) : false;
  // The job is followed while the cut is built; its last state stays on screen once the cut is final.
  const { job, error: jobError } = useJob(e && building ? (e.jobId ?? null) : null);
  const jobEnded = job ? TERMINAL_JOB_STATES.includes(job.state) : false;
  useEffect(() => {
    if (!building || exp.loading) return;
    // The job's end commits the cut: read it again. Without access to the job (another user's cut), poll the cut.
    if (jobEnded) {
      const t = setTimeout(exp.reload, 250);
      return () => clearTimeout(t);
    }
    if (jobError) {
      const t = setTimeout(exp.reload, 3000);
      return () => clearTimeout(t);
    }
  }, [building, jobEnded, jobError, exp.loading, e]);

  return (
    <Page title={e ? `Data cut of ${e.cutoff}` : 'Data cut'} actions={<Link to={pathOf('trials', trialId, 'exports')}>All data cuts</Link>}>
      <ErrorBanner error={exp.error} />
      {exp.loading && !e ? <Loading what="the data cut" /> : null}
      {e ? (
        <>
          <CutFacts e={e} />
          <section class="panel" aria-labelledby="build-h" data-testid="build">
            <h2 id="build-h">Build</h2>
            <BuildProgress e={e} job={job} jobError={building ? jobError : null} />
          </section>
          {!building ? <Conformance e={e} /> : null}
          <Files trialId={trialId} e={e} />
        </>
      ) : null}
    </Page>
  );
}

function CutFacts({ e }: { e: Export }) {
  const m = e.manifest;
  return (
    <dl class="facts" data-testid="cut-facts">
      <dt>State</dt>
      <dd>
        <StateBadge value={e.state} />
      </dd>
      <dt>Cut-off</dt>
      <dd>{e.cutoff} (scans dated on or before it)</dd>
      <dt>Assessments</dt>
      <dd>{(e.parameters.assessments ?? []).join(', ') || '—'}</dd>
      <dt>Formats</dt>
      <dd>{(e.parameters.formats ?? []).join(', ') || '—'}</dd>
      <dt>Requested</dt>
      <dd>{formatTime(e.createdAt)}</dd>
      <dt>Completed</dt>
      <dd>{formatTime(e.completedAt)}</dd>
      {m ? (
        <>
          <dt>Study</dt>
          <dd>
            {m.parameters.studyId ?? '—'}, {m.parameters.subjects ?? 0} subject{m.parameters.subjects === 1 ? '' : 's'}
          </dd>
          <dt>Standards</dt>
          <dd>
            SDTMIG {m.parameters.sdtmigVersion ?? '?'}, controlled terminology {m.parameters.ctVersion ?? '?'}, Define-XML {m.parameters.defineVersion ?? '?'}
          </dd>
          <dt>Generated</dt>
          <dd>
            {formatTime(m.generatedAt)} by {m.generatedBy}, platform {m.platformVersion}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function BuildProgress({ e, job, jobError }: { e: Export; job: ReturnType<typeof useJob>['job']; jobError: unknown }) {
  // Without the job (a cut opened after it was built), a cut with a manifest was built to the end.
  const pct = job ? progressPercent(job) : e.manifest ? 100 : 0;
  const text = job
    ? `Job ${job.state}, ${pct}% (attempt ${job.attempts})${job.state === 'queued' ? `, waiting for a worker since ${formatTime(job.createdAt)}` : ''}${job.error ? `: ${job.error}` : ''}`
    : `Cut ${e.state}${e.completedAt ? ` at ${formatTime(e.completedAt)}` : ''}.`;
  return (
    <>
      <div class="progress-line">
        <label for="build-progress">Progress</label>
        <progress id="build-progress" max={100} value={pct} aria-valuetext={`${pct}%`} />
        <span role="status" aria-live="polite" data-testid="job-status">
          {text}
        </span>
      </div>
      {jobError ? <p class="small muted">The job is not visible to you ({describeError(jobError)}); the cut's own state is followed instead.</p> : null}
      {e.error ? <p class="error-text">Build failed: {e.error}</p> : null}
    </>
  );
}

function Conformance({ e }: { e: Export }) {
  const m = e.manifest;
  const findings = findingsInOrder(e.findings ?? []);
  return (
    <section class="panel" aria-labelledby="conformance-h" data-testid="conformance">
      <h2 id="conformance-h">
        Conformance check {m ? <StateBadge value={m.status} /> : <StateBadge value="not_run" />}
      </h2>
      {m ? (
        <p data-testid="conformance-summary">
          {m.status === 'passed' ? 'Passed' : 'Failed'}: {m.findings.errors ?? 0} error{m.findings.errors === 1 ? '' : 's'}, {m.findings.warnings ?? 0} warning
          {m.findings.warnings === 1 ? '' : 's'}.
        </p>
      ) : (
        <p>The check did not run: the cut was not built.</p>
      )}
      {findings.length > 0 ? <FindingsTable findings={findings} /> : m ? <p class="muted">No findings.</p> : null}
    </section>
  );
}

function FindingsTable({ findings }: { findings: ConformanceFinding[] }) {
  return (
    <table class="grid compact" data-testid="findings">
      <caption>
        All {findings.length} finding{findings.length === 1 ? '' : 's'}, errors first
      </caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Check</th>
          <th scope="col">Domain</th>
          <th scope="col">Subject</th>
          <th scope="col">Row</th>
          <th scope="col">Variable</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={i} data-severity={f.severity}>
            <td>
              <StateBadge value={f.severity} />
            </td>
            <td>
              <code>{f.code}</code>
              <span class="small muted">
                {' '}
                primer item {f.item}
                {f.p21 ? `, ${f.p21}` : ''}
              </span>
            </td>
            <td>{f.domain ?? '—'}</td>
            <td>{f.usubjid ?? '—'}</td>
            <td>{f.row ?? '—'}</td>
            <td>{f.variable ?? '—'}</td>
            <td>{f.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type DownloadState = { state: 'busy' } | { state: 'done'; v: Verification } | { state: 'error'; error: unknown };

function Files({ trialId, e }: { trialId: string; e: Export }) {
  const d = downloadability(e);
  const [downloads, setDownloads] = useState<Record<string, DownloadState>>({});
  const files: Array<ExportFile | null> = [...(e.manifest?.files ?? []), ...(e.manifest ? [null] : [])];
  const download = async (name: string) => {
    setDownloads((s) => ({ ...s, [name]: { state: 'busy' } }));
    try {
      const v = await downloadVerified(trialId, e, name);
      setDownloads((s) => ({ ...s, [name]: { state: 'done', v } }));
    } catch (error) {
      setDownloads((s) => ({ ...s, [name]: { state: 'error', error } }));
    }
  };
  return (
    <section class="panel" aria-labelledby="files-h" data-testid="files">
      <h2 id="files-h">Files</h2>
      {!d.downloadable ? (
        <p class="banner banner-warn" data-testid="not-downloadable">
          {d.why}
        </p>
      ) : (
        <p class="small muted">
          Each file is downloaded through the API and hashed in this browser (SHA-256) before it is saved: it is saved only when the hash matches the manifest.
          The server records every download in the audit trail.
        </p>
      )}
      {e.manifest ? (
        <table class="grid compact files">
          <caption class="sr-only">Files of this cut with their SHA-256 from the manifest</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Role</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256 (manifest)</th>
              {d.downloadable ? <th scope="col">Download</th> : null}
              {d.downloadable ? <th scope="col">Check in this browser</th> : null}
            </tr>
          </thead>
          <tbody>
            {files.map((f) => {
              const name = f?.name ?? MANIFEST_FILE;
              const dl = downloads[name];
              return (
                <tr key={name} data-file={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>{f?.role ?? 'manifest'}</td>
                  <td>{f ? formatBytes(f.sizeBytes) : '—'}</td>
                  <td>{f ? <code class="hash">{f.sha256}</code> : <span class="muted">sent by the server with the file (X-Content-SHA256)</span>}</td>
                  {d.downloadable ? (
                    <td>
                      <button type="button" onClick={() => void download(name)} disabled={dl?.state === 'busy'}>
                        Download {name}
                      </button>
                    </td>
                  ) : null}
                  {d.downloadable ? (
                    <td role="status" aria-live="polite" data-testid={`check-${name}`}>
                      <DownloadCheck dl={dl} manifest={!f} />
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="muted">{isBuilding(e) ? 'The files are listed once the cut is built.' : 'This cut has no files.'}</p>
      )}
    </section>
  );
}

function DownloadCheck({ dl, manifest }: { dl: DownloadState | undefined; manifest: boolean }) {
  if (!dl) return <span class="muted">not downloaded</span>;
  if (dl.state === 'busy') return <span>Downloading and checking…</span>;
  if (dl.state === 'error') return <span class="error-text">Not downloaded: {describeError(dl.error)}</span>;
  const { v } = dl;
  if (v.verified) {
    return (
      <span>
        <StateBadge value="verified" /> {manifest ? 'SHA-256 matches the server’s and the content matches this cut’s record' : 'SHA-256 matches the manifest'}; saved. Computed <code class="hash">{v.computed}</code>
      </span>
    );
  }
  return (
    <span class="error-text">
      <StateBadge value="not_verified" /> Not saved: {v.problems.join('; ')}.
    </span>
  );
}

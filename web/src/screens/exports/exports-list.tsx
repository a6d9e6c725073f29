import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../../api/client.js';
import { ALWAYS_DELIVERED, ASSESSMENTS, type Assessment, type Export, conformanceSummary, isBuilding, isCalendarDate, todayUtc } from '../../exports/export-model.js';
import { navigate, pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

// Data cuts of a trial (biostatisticians and administrators): start one with a cut-off date, and the list of
// earlier cuts with their state and conformance outcome, newest first. A cut opens on its own screen, which
// follows the build and offers the files.

const loadExports = (trialId: string) => must(api.GET('/trials/{trialId}/exports', { params: { path: { trialId } } }));

export function ExportsScreen({ trialId }: { trialId: string }) {
  const list = useAsync(() => loadExports(trialId), [trialId]);
  // While a cut is being built the list follows it (the cut's own screen follows its job).
  const building = (list.data ?? []).some(isBuilding);
  useEffect(() => {
    if (!building || list.loading) return;
    const t = setTimeout(list.reload, 3000);
    return () => clearTimeout(t);
  }, [building, list.loading, list.data]);
  return (
    <Page title="Data exports">
      <p class="muted">
        An SDTM data cut (TU, TR, RS) of the signed reads and adjudications whose scans are dated on or before the cut-off. The platform checks every cut for
        conformance; a cut that fails cannot be downloaded.
      </p>
      <StartCutForm trialId={trialId} />
      <h2 id="earlier-cuts">Earlier cuts</h2>
      <ErrorBanner error={list.error} />
      {list.loading && !list.data ? <Loading what="the trial's data cuts" /> : null}
      {list.data && list.data.length === 0 ? <p>No data cut has been made on this trial yet.</p> : null}
      {list.data && list.data.length > 0 ? <CutTable trialId={trialId} cuts={list.data} /> : null}
    </Page>
  );
}

function CutTable({ trialId, cuts }: { trialId: string; cuts: Export[] }) {
  return (
    <table class="grid" aria-labelledby="earlier-cuts" data-testid="cuts">
      <thead>
        <tr>
          <th scope="col">Cut-off</th>
          <th scope="col">Requested</th>
          <th scope="col">Assessments</th>
          <th scope="col">State</th>
          <th scope="col">Conformance</th>
          <th scope="col">Files</th>
          <th scope="col">
            <span class="sr-only">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {cuts.map((e) => (
          <tr key={e.id} data-export={e.id} data-state={e.state}>
            <th scope="row">{e.cutoff}</th>
            <td>{formatTime(e.createdAt)}</td>
            <td>{(e.parameters.assessments ?? []).join(', ')}</td>
            <td>
              <StateBadge value={e.state} />
            </td>
            <td>{conformanceSummary(e)}</td>
            <td>{e.manifest ? e.manifest.files.length : '—'}</td>
            <td>
              <Link to={pathOf('trials', trialId, 'exports', e.id)} aria-label={`Open the cut of ${e.cutoff} requested ${formatTime(e.createdAt)}`}>
                Open
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StartCutForm({ trialId }: { trialId: string }) {
  const [cutoff, setCutoff] = useState(todayUtc());
  const [workbook, setWorkbook] = useState(true);
  const [assessments, setAssessments] = useState<Assessment[]>(ASSESSMENTS.map((a) => a.value));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const dateOk = isCalendarDate(cutoff);
  const adjudicatorAlone = assessments.includes('adjudicator') && !(assessments.includes('reader1') && assessments.includes('reader2'));
  const why = !dateOk ? 'Enter the cut-off as a calendar date.' : assessments.length === 0 ? 'Choose at least one assessment.' : adjudicatorAlone ? "The adjudicator's selection needs both readers' records." : null;

  const toggle = (a: Assessment, on: boolean) => setAssessments((list) => (on ? ASSESSMENTS.map((x) => x.value).filter((v) => v === a || list.includes(v)) : list.filter((v) => v !== a)));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (why) return;
    setBusy(true);
    setError(null);
    try {
      const job = await must(api.POST('/trials/{trialId}/exports', { params: { path: { trialId } }, body: { cutoff, formats: workbook ? ['xlsx'] : [], assessments } }));
      // The request answers with its job; the cut's own record carries the job's id.
      const cuts = await must(api.GET('/trials/{trialId}/exports', { params: { path: { trialId } } }));
      const cut = cuts.find((c) => c.jobId === job.id);
      if (!cut) throw new Error('The cut was requested, but it is not in the list of cuts yet; reload this screen.');
      navigate(pathOf('trials', trialId, 'exports', cut.id));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="form start-cut" onSubmit={submit} aria-describedby={why ? 'start-cut-why' : undefined}>
      <fieldset>
        <legend>Start a data cut</legend>
        <div class="inline-fields">
          <label>
            Cut-off date (UTC)
            <input type="date" required value={cutoff} aria-invalid={dateOk ? undefined : 'true'} onInput={(e) => setCutoff(e.currentTarget.value)} />
          </label>
          <fieldset class="choice">
            <legend>Assessments</legend>
            {ASSESSMENTS.map((a) => (
              <label class="radio" key={a.value}>
                <input type="checkbox" checked={assessments.includes(a.value)} onChange={(e) => toggle(a.value, e.currentTarget.checked)} />
                {a.label}
              </label>
            ))}
          </fieldset>
          <fieldset class="choice">
            <legend>Files</legend>
            <span class="small muted">Always: {ALWAYS_DELIVERED.join(', ')}.</span>
            <label class="radio">
              <input type="checkbox" checked={workbook} onChange={(e) => setWorkbook(e.currentTarget.checked)} />
              Excel workbook
            </label>
          </fieldset>
        </div>
        {why ? (
          <p id="start-cut-why" class="small warn-text">
            {why}
          </p>
        ) : null}
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy || why !== null}>
            {busy ? 'Starting…' : 'Start data cut'}
          </button>
        </div>
        <ErrorBanner error={error} prefix="Not started" />
      </fieldset>
    </form>
  );
}

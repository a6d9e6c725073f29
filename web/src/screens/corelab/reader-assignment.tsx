import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must, type Schemas } from '../../api/client.js';
import { asReaderStats } from '../../reading/model.js';
import { auditEventsOf } from '../../reading/load-audit.js';
import { type ReaderAssignment, assignmentsFromAudit, readsFromAudit } from '../../reading/trial-reading-index.js';
import { ErrorBanner, Loading, Notice, StateBadge } from '../../ui/feedback.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

interface AssignmentData {
  subjects: Schemas['Subject'][];
  assignments: Map<string, ReaderAssignment[]>;
  /** subjects with a read already (their readers follow them through the trial: PUT readers is 409) */
  started: Set<string>;
  /** the trial's readers by user id, with names where the caller may know them */
  readers: Map<string, string>;
  rosterComplete: boolean;
}

async function loadAssignments(trialId: string, caller: Caller): Promise<AssignmentData> {
  const [subjects, subjectEvents, readEvents] = await Promise.all([
    must(api.GET('/trials/{trialId}/subjects', { params: { path: { trialId } } })),
    auditEventsOf(trialId, 'subject'),
    auditEventsOf(trialId, 'read'),
  ]);
  const assignments = assignmentsFromAudit(subjectEvents);
  const reads = readsFromAudit(readEvents);
  const timepointsOf = new Map<string, Set<string>>();
  await Promise.all(
    subjects.map(async (s) => {
      const tps = await must(api.GET('/trials/{trialId}/subjects/{subjectId}/timepoints', { params: { path: { trialId, subjectId: s.id } } }));
      timepointsOf.set(s.id, new Set(tps.map((t) => t.id)));
    }),
  );
  const started = new Set(subjects.filter((s) => reads.some((r) => timepointsOf.get(s.id)?.has(r.timepointId))).map((s) => s.id));
  // The reader pool: trial members with the reader role (administrators may list members); otherwise the readers
  // the reader statistics name, and anyone already assigned.
  const readers = new Map<string, string>();
  let rosterComplete = false;
  if (mayCall('listMembers', caller)) {
    const members = await must(api.GET('/trials/{trialId}/members', { params: { path: { trialId } } }));
    for (const m of members) if (m.role === 'reader' && m.status === 'active') readers.set(m.userId, m.displayName ?? m.username ?? m.userId);
    rosterComplete = true;
  } else {
    if (mayCall('getReaderStats', caller)) {
      const stats = asReaderStats(await must(api.GET('/trials/{trialId}/reader-stats', { params: { path: { trialId } } })));
      for (const r of stats.readers) readers.set(r.readerId, r.readerName ?? r.readerId);
    }
    for (const list of assignments.values()) for (const a of list) if (!readers.has(a.userId)) readers.set(a.userId, `user ${a.userId.slice(0, 8)}`);
  }
  return { subjects, assignments, started, readers, rosterComplete };
}

/** Core-lab staff name a subject's readers before its reading starts (PUT .../readers); otherwise they are chosen by load at the first release. */
export function ReaderAssignmentScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const data = useAsync(() => loadAssignments(trialId, caller), [trialId]);
  const d = data.data;
  const name = (id: string) => d?.readers.get(id) ?? `user ${id.slice(0, 8)}`;
  return (
    <Page title="Reader assignment">
      <p class="muted">
        A subject's readers are named before its first timepoint is released for reading; after that they follow the subject through the trial. Subjects
        left unassigned get readers by workload at their first release.
      </p>
      <ErrorBanner error={data.error} />
      {data.loading && !d ? <Loading what="subjects and readers" /> : null}
      {d && !d.rosterComplete ? <Notice>Only administrators can list the trial's members: the readers offered here are those already known from reader statistics and earlier assignments.</Notice> : null}
      {d ? (
        <table class="grid" data-testid="reader-assignment">
          <caption class="sr-only">Readers per subject</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Reading</th>
              <th scope="col">Readers</th>
              <th scope="col">Assign</th>
            </tr>
          </thead>
          <tbody>
            {d.subjects.map((s) => {
              const current = d.assignments.get(s.id) ?? [];
              const started = d.started.has(s.id);
              return (
                <tr key={s.id} data-subject={s.subjectCode}>
                  <th scope="row">{s.subjectCode}</th>
                  <td>{started ? <StateBadge value="started" /> : <StateBadge value="not_started" />}</td>
                  <td>{current.length ? current.map((a) => `Reader ${a.readerNo}: ${name(a.userId)}`).join('; ') : <span class="muted">not assigned</span>}</td>
                  <td>{started ? <span class="muted">readers follow the subject</span> : <AssignForm trialId={trialId} subjectCode={s.subjectCode} subjectId={s.id} readers={d.readers} current={current} onDone={data.reload} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </Page>
  );
}

function AssignForm({ trialId, subjectId, subjectCode, readers, current, onDone }: { trialId: string; subjectId: string; subjectCode: string; readers: Map<string, string>; current: ReaderAssignment[]; onDone: () => void }) {
  const [r1, setR1] = useState(current.find((a) => a.readerNo === 1)?.userId ?? '');
  const [r2, setR2] = useState(current.find((a) => a.readerNo === 2)?.userId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const options = [...readers.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.PUT('/trials/{trialId}/subjects/{subjectId}/readers', { params: { path: { trialId, subjectId } }, body: { readerIds: r2 ? [r1, r2] : [r1] } }));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const select = (label: string, value: string, set: (v: string) => void, other: string) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">—</option>
        {options.map(([id, n]) => (
          <option key={id} value={id} disabled={id === other}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="form inline" onSubmit={submit} aria-label={`Readers of ${subjectCode}`}>
      {select(`Reader 1 of ${subjectCode}`, r1, setR1, r2)}
      {select(`Reader 2 of ${subjectCode}`, r2, setR2, r1)}
      <button type="submit" disabled={busy || !r1 || r1 === r2}>
        Assign readers
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}

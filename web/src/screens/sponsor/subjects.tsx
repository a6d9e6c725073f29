import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { api, must } from '../../api/client.js';
import { pathOf } from '../../router.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Link } from '../../ui/link.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

export function SubjectsScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const path = { trialId };
  const subjects = useAsync(() => must(api.GET('/trials/{trialId}/subjects', { params: { path } })), [trialId]);
  const sites = useAsync(() => (mayCall('listSites', caller) ? must(api.GET('/trials/{trialId}/sites', { params: { path } })) : Promise.resolve([])), [trialId]);
  const siteCode = (id: string) => sites.data?.find((s) => s.id === id)?.code ?? '—';

  return (
    <Page title="Subjects and visits">
      <ErrorBanner error={subjects.error} />
      {subjects.loading && !subjects.data ? <Loading what="subjects" /> : null}
      {subjects.data && subjects.data.length === 0 ? <p>No subject is enrolled yet.</p> : null}
      {subjects.data && subjects.data.length > 0 ? (
        <table class="grid">
          <caption class="sr-only">Enrolled subjects</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Site</th>
              <th scope="col">Status</th>
              <th scope="col">Enrolled</th>
            </tr>
          </thead>
          <tbody>
            {subjects.data.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <Link to={pathOf('trials', trialId, 'subjects', s.id)}>{s.subjectCode}</Link>
                </th>
                <td>{siteCode(s.siteId)}</td>
                <td>
                  <StateBadge value={s.status} />
                </td>
                <td>{formatTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {mayCall('enrollSubject', caller) && sites.data && sites.data.length > 0 ? <EnrollForm trialId={trialId} sites={sites.data} onDone={subjects.reload} /> : null}
    </Page>
  );
}

function EnrollForm({ trialId, sites, onDone }: { trialId: string; sites: Array<{ id: string; code: string; name: string }>; onDone: () => void }) {
  const [siteId, setSiteId] = useState(sites[0].id);
  const [subjectCode, setSubjectCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST('/trials/{trialId}/subjects', { params: { path: { trialId } }, body: { siteId, subjectCode } }));
      setSubjectCode('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form inline" onSubmit={submit}>
      <fieldset>
        <legend>Enrol a subject</legend>
        <label>
          Site
          <select value={siteId} onChange={(e) => setSiteId(e.currentTarget.value)}>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} · {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject code
          <input required value={subjectCode} onInput={(e) => setSubjectCode(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Enrol
        </button>
        <ErrorBanner error={error} />
      </fieldset>
    </form>
  );
}

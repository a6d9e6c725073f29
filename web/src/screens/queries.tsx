import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../api/access.js';
import { type Schemas, api, must } from '../api/client.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../ui/feedback.js';
import { Page } from '../ui/page.js';
import { useAsync } from '../ui/use-async.js';

type Query = Schemas['Query'];
const STATES = ['open', 'answered', 'resolved'] as const;
type QueryState = (typeof STATES)[number];

/**
 * Labels for the visits queries are about ("ONC001-0001 · Baseline"): from the QC queue for the core lab, from the
 * subjects' timepoints for a sponsor (who may not read the QC queue).
 */
async function visitLabels(trialId: string, caller: Caller): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (mayCall('getQcQueue', caller)) {
    for (const item of await must(api.GET('/trials/{trialId}/qc/queue', { params: { path: { trialId } } }))) {
      if (item.timepoint) labels.set(item.timepoint.id, `${item.subjectCode} · ${item.timepoint.label}`);
    }
  }
  if (mayCall('listTimepoints', caller)) {
    const subjects = await must(api.GET('/trials/{trialId}/subjects', { params: { path: { trialId } } }));
    await Promise.all(
      subjects.map(async (s) => {
        const tps = await must(api.GET('/trials/{trialId}/subjects/{subjectId}/timepoints', { params: { path: { trialId, subjectId: s.id } } }));
        for (const t of tps) labels.set(t.id, `${s.subjectCode} · ${t.label}`);
      }),
    );
  }
  return labels;
}

export function QueriesScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const [state, setState] = useState<QueryState | ''>('');
  const queries = useAsync(
    () => must(api.GET('/trials/{trialId}/queries', { params: { path: { trialId }, query: state ? { state } : {} } })),
    [trialId, state],
  );
  const labels = useAsync(() => visitLabels(trialId, caller).catch(() => new Map<string, string>()), [trialId]);
  return (
    <Page title="Queries">
      <form class="form inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Show
          <select value={state} onChange={(e) => setState(e.currentTarget.value as QueryState | '')}>
            <option value="">all queries</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBanner error={queries.error} />
      {queries.loading && !queries.data ? <Loading what="queries" /> : null}
      {queries.data && queries.data.length === 0 ? <p>No query{state ? ` is ${state}` : ''}.</p> : null}
      {queries.data?.map((q) => (
        <QueryThread key={q.id} trialId={trialId} query={q} visit={labels.data?.get(q.timepointId)} caller={caller} onChange={queries.reload} />
      ))}
    </Page>
  );
}

function QueryThread({ trialId, query, visit, caller, onChange }: { trialId: string; query: Query; visit?: string; caller: Caller; onChange: () => void }) {
  const [body, setBody] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setBody('');
      setReason('');
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const path = { trialId, queryId: query.id };
  const isSponsor = caller.roles.includes('sponsor');
  const headingId = `query-${query.id}`;
  return (
    <article class="panel query" aria-labelledby={headingId} data-query={query.id}>
      <h2 id={headingId}>
        {query.title} <StateBadge value={query.state} />
      </h2>
      <p class="muted small">
        {visit ?? 'visit'} · raised {formatTime(query.createdAt)}
      </p>
      <ol class="messages">
        {query.messages.map((m) => (
          <li key={m.id}>
            <p class="small muted">
              {m.authorRole} · {formatTime(m.createdAt)}
            </p>
            <p class="message-body">{m.body}</p>
          </li>
        ))}
      </ol>
      {query.state !== 'resolved' && mayCall('postQueryMessage', caller) ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => must(api.POST('/trials/{trialId}/queries/{queryId}/messages', { params: { path }, body: { body } })));
          }}
        >
          <label>
            {isSponsor ? 'Your answer' : 'Follow-up message'}
            <textarea required maxLength={5000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={busy || !body.trim()}>
            {isSponsor ? 'Send answer' : 'Send follow-up'}
          </button>
        </form>
      ) : null}
      {query.state !== 'resolved' && mayCall('resolveQuery', caller) ? (
        <form
          class="form inline"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => must(api.POST('/trials/{trialId}/queries/{queryId}/resolve', { params: { path }, body: { reason } })));
          }}
        >
          <label>
            Resolution reason
            <input required maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || !reason.trim()}>
            Resolve
          </button>
        </form>
      ) : null}
      <ErrorBanner error={error} />
    </article>
  );
}

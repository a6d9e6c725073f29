import { useState } from 'preact/hooks';
import { type Caller, mayCall } from '../../api/access.js';
import { type Schemas, api, must } from '../../api/client.js';
import { ErrorBanner, Loading, StateBadge, formatTime } from '../../ui/feedback.js';
import { Page } from '../../ui/page.js';
import { useAsync } from '../../ui/use-async.js';

type AuditEvent = Schemas['AuditEvent'];

interface Filters {
  entityType: string;
  entityId: string;
  actorId: string;
  /** datetime-local values (the user's local time) */
  from: string;
  to: string;
  limit: number;
}
const NO_FILTERS: Filters = { entityType: '', entityId: '', actorId: '', from: '', to: '', limit: 50 };

/** The query of GET /trials/{trialId}/audit: empty filters left out, local times sent as UTC instants. */
function toQuery(f: Filters, afterSeq: number) {
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  return {
    ...(f.entityType ? { entityType: f.entityType } : {}),
    ...(f.entityId ? { entityId: f.entityId } : {}),
    ...(f.actorId ? { actorId: f.actorId } : {}),
    ...(f.from ? { from: iso(f.from) } : {}),
    ...(f.to ? { to: iso(f.to) } : {}),
    ...(afterSeq > 0 ? { afterSeq } : {}),
    limit: f.limit,
  };
}

export function AuditScreen({ trialId, caller }: { trialId: string; caller: Caller }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Pages are keyed by the sequence number they start after; the stack lets "Previous" go back.
  const [pages, setPages] = useState<number[]>([0]);
  const afterSeq = pages[pages.length - 1];
  const page = useAsync(() => must(api.GET('/trials/{trialId}/audit', { params: { path: { trialId }, query: toQuery(filters, afterSeq) } })), [trialId, filters, afterSeq]);

  const field = (name: keyof Omit<Filters, 'limit'>, label: string, type: 'text' | 'datetime-local' = 'text') => (
    <label>
      {label}
      {type === 'text' ? (
        <input type="text" name={name} value={draft[name]} onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })} />
      ) : (
        <input type="datetime-local" name={name} value={draft[name]} onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })} />
      )}
    </label>
  );

  return (
    <Page title="Audit trail">
      <form
        class="form filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setPages([0]);
        }}
      >
        <fieldset>
          <legend>Filters</legend>
          {field('entityType', 'Entity type')}
          {field('entityId', 'Entity id')}
          {field('actorId', 'Actor (user id)')}
          {field('from', 'From (your local time)', 'datetime-local')}
          {field('to', 'To (your local time)', 'datetime-local')}
          <label>
            Per page
            <select value={String(draft.limit)} onChange={(e) => setDraft({ ...draft, limit: Number(e.currentTarget.value) })}>
              {[10, 25, 50, 100, 250, 500].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <div class="button-row">
            <button type="submit" class="primary">
              Apply filters
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(NO_FILTERS);
                setFilters(NO_FILTERS);
                setPages([0]);
              }}
            >
              Clear
            </button>
          </div>
        </fieldset>
      </form>
      {mayCall('verifyAuditTrail', caller) ? <ChainVerification /> : null}
      <ErrorBanner error={page.error} />
      {page.loading && !page.data ? <Loading what="audit events" /> : null}
      {page.data ? (
        <>
          <EventTable events={page.data.events} busy={page.loading} />
          <nav class="button-row" aria-label="Audit pages">
            <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
              Previous page
            </button>
            <span class="muted small" aria-live="polite">
              Page {pages.length}
              {page.data.events.length > 0 ? `: events ${page.data.events[0].seq}–${page.data.events[page.data.events.length - 1].seq}` : ''}
            </span>
            <button type="button" disabled={page.data.nextAfterSeq === null} onClick={() => setPages([...pages, page.data!.nextAfterSeq!])}>
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </Page>
  );
}

function EventTable({ events, busy }: { events: AuditEvent[]; busy: boolean }) {
  if (events.length === 0) return <p>No event matches these filters.</p>;
  return (
    <table class="grid audit" aria-busy={busy}>
      <caption class="sr-only">Audit events</caption>
      <thead>
        <tr>
          <th scope="col">Seq</th>
          <th scope="col">Time (UTC)</th>
          <th scope="col">Actor</th>
          <th scope="col">Role</th>
          <th scope="col">Action</th>
          <th scope="col">Entity</th>
          <th scope="col">Reason</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.seq} data-action={e.action}>
            <td>{e.seq}</td>
            <td>{formatTime(e.occurredAt)}</td>
            <td>{e.actorName}</td>
            <td>{e.actorRole}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>
              {e.entityType} <code class="id">{e.entityId}</code>
            </td>
            <td>{e.reason ?? ''}</td>
            <td>
              <details>
                <summary>Show</summary>
                <dl class="facts small">
                  <dt>Before</dt>
                  <dd>
                    <pre>{e.before === undefined || e.before === null ? '—' : JSON.stringify(e.before, null, 2)}</pre>
                  </dd>
                  <dt>After</dt>
                  <dd>
                    <pre>{e.after === undefined || e.after === null ? '—' : JSON.stringify(e.after, null, 2)}</pre>
                  </dd>
                  <dt>Actor id</dt>
                  <dd>
                    <code>{e.actorId ?? '—'}</code>
                  </dd>
                  <dt>Request</dt>
                  <dd>
                    <code>{e.requestId ?? '—'}</code> from {e.clientIp ?? '—'}
                  </dd>
                  <dt>Hash</dt>
                  <dd>
                    <code class="hash">{e.hash}</code>
                  </dd>
                </dl>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChainVerification() {
  const [result, setResult] = useState<Schemas['ChainVerification'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await must(api.GET('/audit/verify')));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="verify-title">
      <h2 id="verify-title">Hash chain</h2>
      <div class="button-row">
        <button type="button" onClick={verify} disabled={busy}>
          {busy ? 'Verifying…' : 'Verify the whole audit chain'}
        </button>
        {result ? (
          <p role="status" data-testid="chain-result">
            {result.ok ? <StateBadge value="intact" /> : <StateBadge value="broken" />} {result.eventsChecked} events checked up to #{result.headSeq}
            {result.firstBroken ? ` — first broken event #${result.firstBroken.seq}: ${result.firstBroken.reason}` : ''}
          </p>
        ) : null}
      </div>
      <ErrorBanner error={error} />
    </section>
  );
}

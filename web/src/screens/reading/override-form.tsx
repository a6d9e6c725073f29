import { useState } from 'preact/hooks';
import { CRITERIA_LABEL, RESPONSE_OPTIONS, type Evaluation, type ReadContent, type ResponseCriteria } from '../../reading/model.js';
import type { Edit } from './lesion-editor.js';

/**
 * A reader who disagrees with the computed response states theirs, never without a reason: the override is added
 * to the read only with one (the server refuses to sign an override without a reason, 422).
 */
export function OverrideSection({ content, edit, evaluation }: { content: ReadContent; edit: Edit; evaluation: Evaluation | null }) {
  const computed = evaluation?.responses ?? [];
  if (computed.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="override-h">
      <h2 id="override-h">Response override</h2>
      {computed.map((r) => {
        const existing = (content.responseOverrides ?? []).find((o) => o.criteria === r.criteria);
        return existing ? (
          <p key={r.criteria} data-testid={`override-${r.criteria}`}>
            {CRITERIA_LABEL[r.criteria]}: your response <strong>{existing.response}</strong> instead of the computed {r.engine ?? '—'}; reason: {existing.reason}{' '}
            <button type="button" onClick={() => edit((c) => ({ ...c, responseOverrides: (c.responseOverrides ?? []).filter((o) => o.criteria !== r.criteria) }))}>
              Remove {CRITERIA_LABEL[r.criteria]} override
            </button>
          </p>
        ) : (
          <OverrideForm key={r.criteria} criteria={r.criteria} engine={r.engine} onAdd={(response, reason) => edit((c) => ({ ...c, responseOverrides: [...(c.responseOverrides ?? []), { criteria: r.criteria, response, reason }] }))} />
        );
      })}
    </section>
  );
}

function OverrideForm({ criteria, engine, onAdd }: { criteria: ResponseCriteria; engine: string | null; onAdd: (response: string, reason: string) => void }) {
  const options = RESPONSE_OPTIONS[criteria].filter((o) => o !== engine);
  const [response, setResponse] = useState(options[0]);
  const [reason, setReason] = useState('');
  const name = CRITERIA_LABEL[criteria];
  return (
    <form
      class="form inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onAdd(response, reason.trim());
      }}
    >
      <fieldset>
        <legend>
          {name}: computed {engine ?? '—'}. State a different response
        </legend>
        <label>
          {name} response
          <select value={response} onChange={(e) => setResponse(e.currentTarget.value)}>
            {options.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label class="grow">
          Reason for the {name} override
          <input maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={!reason.trim()}>
          Override {name} response
        </button>
      </fieldset>
    </form>
  );
}

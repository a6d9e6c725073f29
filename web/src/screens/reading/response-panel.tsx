import { CRITERIA_LABEL, type ContentProblem, type Evaluation, type ReadContent } from '../../reading/model.js';
import { describeProblem, explanationParts, formatMm, timepointOf } from '../../reading/read-form.js';
import { StateBadge } from '../../ui/feedback.js';

/**
 * The response engine's answer for one read, as the server computed it (GET/PUT of a read returns it live; a
 * signed version carries the stored one): baseline validity and sum, then per criteria each category's response
 * and the engine's explanation, one line per category, and the response of record with any override.
 */
export function ResponsePanel({ evaluation, label, baseline, headingLevel = 2 }: { evaluation: Evaluation | null; label: string; baseline: boolean; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const H2 = headingLevel === 2 ? 'h3' : 'h4';
  if (!evaluation) return <p class="muted">No response yet: the engine evaluates the read once it is saved with a valid baseline.</p>;
  const b = evaluation.baseline;
  const tp = timepointOf(evaluation, label);
  return (
    <div class="response" data-testid="response">
      <H class="sr-only">Computed response</H>
      <dl class="facts">
        <dt>Baseline</dt>
        <dd>
          {b.valid ? <StateBadge value="valid" /> : <StateBadge value="not_valid" />} sum of diameters {formatMm(b.sumMm)}
        </dd>
      </dl>
      {b.violations.length > 0 ? (
        <ul class="problems" aria-label="Baseline violations">
          {b.violations.map((v, i) => (
            <li key={i}>
              {v.code.replace(/_/g, ' ').toLowerCase()}
              {v.targetId ?? v.lesionId ? ` (${v.targetId ?? v.lesionId})` : ''}
              {v.organ ? ` · ${v.organ}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {baseline ? null : tp ? (
        <>
          {tp.recist11 ? (
            <section aria-labelledby={`r11-${label}`} class="criteria" data-criteria="RECIST1.1">
              <H2 id={`r11-${label}`}>
                RECIST 1.1 at {label}: <span class="response-value">{tp.recist11.overall}</span>
              </H2>
              <table class="grid compact">
                <caption class="sr-only">RECIST 1.1 responses by category at {label}</caption>
                <tbody>
                  <tr>
                    <th scope="row">Target lesions</th>
                    <td>{tp.recist11.target ?? '—'}</td>
                  </tr>
                  <tr>
                    <th scope="row">Non-target lesions</th>
                    <td>{tp.recist11.nonTarget ?? '—'}</td>
                  </tr>
                  <tr>
                    <th scope="row">New lesions</th>
                    <td>{tp.recist11.newLesions ? 'yes' : 'no'}</td>
                  </tr>
                  <tr>
                    <th scope="row">Overall</th>
                    <td>
                      <strong>{tp.recist11.overall}</strong>
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">Sum / nadir</th>
                    <td>
                      {formatMm(tp.recist11.targetSumMm)} / {formatMm(tp.recist11.nadirMm)}
                    </td>
                  </tr>
                </tbody>
              </table>
              <Explanation text={tp.recist11.explanation} />
            </section>
          ) : null}
          {tp.irecist ? (
            <section aria-labelledby={`ir-${label}`} class="criteria" data-criteria="iRECIST">
              <H2 id={`ir-${label}`}>
                iRECIST at {label}: <span class="response-value">{tp.irecist.overall}</span>
              </H2>
              <Explanation text={tp.irecist.explanation} />
            </section>
          ) : null}
          <ResponsesOfRecord evaluation={evaluation} />
        </>
      ) : (
        <p class="muted">No response for {label} yet.</p>
      )}
    </div>
  );
}

function Explanation({ text }: { text: string | undefined }) {
  const parts = explanationParts(text);
  if (parts.length === 0) return null;
  return (
    <ul class="explanation" aria-label="Explanation">
      {parts.map((p, i) => (
        <li key={i}>{p}</li>
      ))}
    </ul>
  );
}

export function ResponsesOfRecord({ evaluation }: { evaluation: Evaluation }) {
  if (evaluation.responses.length === 0) return null;
  return (
    <table class="grid compact" data-testid="responses-of-record">
      <caption>Response of record</caption>
      <thead>
        <tr>
          <th scope="col">Criteria</th>
          <th scope="col">Computed</th>
          <th scope="col">Reader's response</th>
          <th scope="col">Best overall</th>
        </tr>
      </thead>
      <tbody>
        {evaluation.responses.map((r) => (
          <tr key={r.criteria}>
            <th scope="row">{CRITERIA_LABEL[r.criteria] ?? r.criteria}</th>
            <td>{r.engine ?? '—'}</td>
            <td>
              {r.override ? (
                <>
                  <strong>{r.override}</strong> (override: {r.reason ?? 'no reason given'})
                </>
              ) : (
                <span class="muted">as computed</span>
              )}
            </td>
            <td>{(r.criteria === 'iRECIST' ? evaluation.bestOverallResponse.irecist : evaluation.bestOverallResponse.recist11) ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What keeps the draft from being signed, in the reader's words (the server's list, with lesion names). */
export function ProblemList({ problems, content }: { problems: ContentProblem[]; content: ReadContent }) {
  if (problems.length === 0) return <p class="ok-text">Complete: nothing keeps this read from being signed.</p>;
  return (
    <div>
      <p>Before this read can be signed:</p>
      <ul class="problems" data-testid="problems">
        {problems.map((p, i) => (
          <li key={i}>{describeProblem(content, p)}</li>
        ))}
      </ul>
    </div>
  );
}

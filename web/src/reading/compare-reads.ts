import type { AdjudicatedRead, AdjudicationView, TriggerFinding } from './model.js';
import { formatMm, timepointOf } from './read-form.js';

// The adjudication screen's comparison: the two readers' signed reads per timepoint, summarised on the facts an
// adjudicator compares (each reader chose their own targets, so lesions are not matched one to one), with every
// fact that differs marked, and the charter trigger that opened the adjudication in words.

export interface ReadSummary {
  overall: string | null;
  irecist: string | null;
  target: string | null;
  nonTarget: string | null;
  newLesions: string | null;
  sumMm: number | null;
  targets: number;
  nonTargets: number;
  bestOverall: string | null;
}

export const SUMMARY_ROWS: Array<{ key: keyof ReadSummary; label: string }> = [
  { key: 'overall', label: 'RECIST 1.1 overall' },
  { key: 'irecist', label: 'iRECIST overall' },
  { key: 'target', label: 'Target response' },
  { key: 'nonTarget', label: 'Non-target response' },
  { key: 'newLesions', label: 'New lesions' },
  { key: 'sumMm', label: 'Sum of diameters' },
  { key: 'targets', label: 'Target lesions' },
  { key: 'nonTargets', label: 'Non-target lesions' },
  { key: 'bestOverall', label: 'Best overall response so far' },
];

export function summaryOf(r: AdjudicatedRead | undefined, label: string, isBaseline: boolean): ReadSummary | null {
  if (!r) return null;
  const e = r.evaluation;
  const tp = timepointOf(e, label);
  const effective = (c: string) => e?.responses.find((x) => x.criteria === c)?.effective ?? null;
  return {
    overall: isBaseline ? null : (effective('RECIST1.1') ?? tp?.recist11?.overall ?? null),
    irecist: isBaseline ? null : (effective('iRECIST') ?? tp?.irecist?.overall ?? null),
    target: tp?.recist11?.target ?? null,
    nonTarget: tp?.recist11?.nonTarget ?? null,
    newLesions: isBaseline ? null : (r.content.newLesions ?? []).filter((n) => n.status === 'present').map((n) => `${n.id} ${n.organ}`).join(', ') || 'none',
    sumMm: isBaseline ? (e?.baseline.sumMm ?? null) : (tp?.recist11?.targetSumMm ?? null),
    targets: r.content.targets.length,
    nonTargets: r.content.nonTargets.length,
    bestOverall: isBaseline ? null : (e?.bestOverallResponse.recist11 ?? null),
  };
}

export const formatFact = (key: keyof ReadSummary, v: ReadSummary[keyof ReadSummary] | undefined): string => (v === null || v === undefined ? '—' : key === 'sumMm' ? formatMm(v as number) : String(v));

export interface TimepointPair {
  label: string;
  reader1: AdjudicatedRead | undefined;
  reader2: AdjudicatedRead | undefined;
  s1: ReadSummary | null;
  s2: ReadSummary | null;
  /** the facts that differ between the two reads */
  differs: Set<keyof ReadSummary>;
  /** a trigger names this timepoint */
  triggered: boolean;
}

export function timepointPairs(a: AdjudicationView, labelOf: (t: { label?: string; blindedLabel?: string }) => string): TimepointPair[] {
  const labels: string[] = [];
  for (const r of [...a.reads.reader1, ...a.reads.reader2]) if (!labels.includes(labelOf(r.timepoint))) labels.push(labelOf(r.timepoint));
  const named = triggeredLabels(a.triggers, labelOf(a.throughTimepoint));
  return labels.map((label, i) => {
    const reader1 = a.reads.reader1.find((r) => labelOf(r.timepoint) === label);
    const reader2 = a.reads.reader2.find((r) => labelOf(r.timepoint) === label);
    const s1 = summaryOf(reader1, label, i === 0);
    const s2 = summaryOf(reader2, label, i === 0);
    const differs = new Set(SUMMARY_ROWS.map((r) => r.key).filter((k) => s1 !== null && s2 !== null && s1[k] !== s2[k]));
    return { label, reader1, reader2, s1, s2, differs, triggered: named.has(label) };
  });
}

function triggeredLabels(triggers: TriggerFinding[], through: string): Set<string> {
  const out = new Set<string>();
  for (const t of triggers) {
    switch (t.trigger) {
      case 'timepoint_response_differs':
        if (t.label) out.add(t.label);
        break;
      case 'progression_date_differs':
        for (const l of [t.reader1, t.reader2]) if (l) out.add(l);
        break;
      case 'best_overall_response_differs':
        out.add(through);
        break;
    }
  }
  return out;
}

/** The trigger in words, e.g. "Best overall response differs: reader 1 PR, reader 2 PD". */
export function describeTrigger(t: TriggerFinding): string {
  const v = (x: string | null) => x ?? 'none';
  switch (t.trigger) {
    case 'best_overall_response_differs':
      return `Best overall response differs: reader 1 ${v(t.reader1)}, reader 2 ${v(t.reader2)}`;
    case 'progression_date_differs':
      return `Progression differs: reader 1 ${t.reader1 ? `at ${t.reader1}` : 'no progression'}, reader 2 ${t.reader2 ? `at ${t.reader2}` : 'no progression'}${t.daysApart !== null && t.daysApart !== undefined ? ` (${t.daysApart} days apart)` : ''}`;
    case 'timepoint_response_differs':
      return `Response at ${t.label ?? '?'} differs: reader 1 ${v(t.reader1)}, reader 2 ${v(t.reader2)}`;
  }
}

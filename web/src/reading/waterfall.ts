import type { Evaluation, FinalAssessment } from './model.js';

// The waterfall plot of best percent change in the sum of target diameters from baseline, one bar per subject,
// from each subject's final assessment: the final assessment names the read of record (concordant, or the
// adjudicator's choice) and its version; that signed version's stored engine output has the baseline sum and the
// sum at every timepoint of that reader. RECIST 1.1 §4.3.1: PR is at least -30% from baseline; PD is +20% from the
// nadir (not from baseline), so the +20% line is a guide only.

export interface BestChange {
  /** percent change from baseline, rounded to 0.1 */
  pct: number;
  /** the timepoint where it was reached */
  at: string;
}

/** The most negative change of the sum from baseline over the follow-ups; null without a baseline sum. */
export function bestPercentChange(e: Evaluation): BestChange | null {
  const base = e.baseline.sumMm;
  if (base === null || base <= 0) return null;
  let best: BestChange | null = null;
  for (const t of e.timepoints) {
    const sum = t.recist11?.targetSumMm;
    if (sum === null || sum === undefined) continue;
    const pct = Math.round(((sum - base) / base) * 1000) / 10;
    if (best === null || pct < best.pct) best = { pct, at: t.label };
  }
  return best;
}

/** The latest timepoint whose final assessment names a read (concordant or adjudicated), with whose read it is. */
export function readOfRecord(f: FinalAssessment): { timepointId: string; label: string; readerNo: number; readVersion: number; source: string } | null {
  for (let i = f.timepoints.length - 1; i >= 1; i--) {
    const t = f.timepoints[i];
    if ((t.source === 'concordant' || t.source === 'adjudicated') && t.readerNo !== null && t.readVersion !== null) {
      return { timepointId: t.timepoint.id, label: t.timepoint.blindedLabel, readerNo: t.readerNo, readVersion: t.readVersion, source: t.source };
    }
  }
  return null;
}

export interface WaterfallBar {
  subjectId: string;
  subjectCode: string;
  pct: number;
  at: string;
  bestOverallResponse: string | null;
  source: string;
}

/** Bars from the largest increase to the largest decrease, as waterfall plots are drawn. */
export const orderBars = (bars: WaterfallBar[]): WaterfallBar[] => [...bars].sort((a, b) => b.pct - a.pct || a.subjectCode.localeCompare(b.subjectCode));

/** Bar colour by best overall response (RECIST 1.1): progression, stable, response. */
export function responseColour(bor: string | null): string {
  switch (bor) {
    case 'PD':
      return '#ff7b72';
    case 'PR':
    case 'CR':
      return '#56d364';
    case 'SD':
    case 'NON_CR_NON_PD':
      return '#7cc4ff';
    default:
      return '#9fb0c0';
  }
}

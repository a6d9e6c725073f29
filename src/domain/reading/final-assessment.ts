// The final assessment of each subject and timepoint: the concordant reads, or the adjudicator's choice, and it
// says which. With charter scope `subject`, an adjudication decides every timepoint up to the one it compared;
// with scope `timepoint`, only that timepoint.
import type { AdjudicationScope } from './paradigm.js';

export const FINAL_SOURCES = ['concordant', 'adjudicated', 'pending_adjudication', 'not_read'] as const;
export type FinalSource = (typeof FINAL_SOURCES)[number];

export interface FinalTimepointInput<R> {
  timepointId: string;
  label: string;
  reader1: R | null; // the signed read of record, null while unsigned
  reader2: R | null;
}

export interface ActiveAdjudication {
  id: string;
  throughTimepointId: string;
  state: 'open' | 'completed';
  chosenReaderNo: 1 | 2 | null;
}

export interface FinalTimepoint<R> {
  timepointId: string;
  label: string;
  source: FinalSource;
  /** whose read is the final one (concordant reads: the charter's reference reader) */
  readerNo: 1 | 2 | null;
  adjudicationId: string | null;
  read: R | null;
}

export function finalAssessment<R>(
  scope: AdjudicationScope,
  readers: 1 | 2,
  timepoints: FinalTimepointInput<R>[],
  adjudications: ActiveAdjudication[],
): FinalTimepoint<R>[] {
  const index = new Map(timepoints.map((t, i) => [t.timepointId, i]));
  const adj = adjudications
    .filter((a) => index.has(a.throughTimepointId))
    .map((a) => ({ ...a, at: index.get(a.throughTimepointId)! }))
    .sort((a, b) => a.at - b.at);
  return timepoints.map((t, i): FinalTimepoint<R> => {
    const base = { timepointId: t.timepointId, label: t.label };
    const signed = readers === 1 ? t.reader1 !== null : t.reader1 !== null && t.reader2 !== null;
    if (!signed) return { ...base, source: 'not_read', readerNo: null, adjudicationId: null, read: null };
    const governing = scope === 'timepoint' ? adj.filter((a) => a.at === i).at(-1) : adj.filter((a) => a.at >= i).at(-1);
    if (governing?.state === 'open') return { ...base, source: 'pending_adjudication', readerNo: null, adjudicationId: governing.id, read: null };
    if (governing?.state === 'completed' && governing.chosenReaderNo) {
      const no = governing.chosenReaderNo;
      return { ...base, source: 'adjudicated', readerNo: no, adjudicationId: governing.id, read: no === 1 ? t.reader1 : t.reader2 };
    }
    // Concordant: reader 1's read is the reference, unless a subject-level adjudication earlier chose reader 2,
    // whose read then stays the subject's read of record.
    const earlier = scope === 'subject' ? adj.filter((a) => a.at < i && a.state === 'completed').at(-1) : undefined;
    const no = earlier?.chosenReaderNo ?? 1;
    return { ...base, source: 'concordant', readerNo: no, adjudicationId: null, read: no === 1 ? t.reader1 : t.reader2 };
  });
}

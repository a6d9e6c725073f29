// Reader performance monitoring (FDA 2018 imaging endpoint standards: the core lab monitors its readers):
// adjudication rate, which reader the adjudicator chose, agreement on timepoint and best overall response
// (with Cohen's kappa), the reader disagreement index (how often the adjudicator did not choose the reader),
// discordance causes, and how readers used AI pre-fill.
import { type Agreement, cohensKappa } from './agreement.js';
import type { MeasurementDecision } from './read-content.js';

/** Coded cause of a discordance, recorded by the adjudicator. */
export const DISCORDANCE_CAUSES = ['target_selection', 'measurement', 'new_lesion', 'non_target_assessment', 'image_quality', 'other'] as const;
export type DiscordanceCause = (typeof DISCORDANCE_CAUSES)[number];

export interface SubjectComparison {
  subjectId: string;
  reader1: string;
  reader2: string;
  /** follow-up timepoints both readers signed, with their responses of record */
  timepointPairs: Array<{ label: string; r1: string | null; r2: string | null }>;
  /** best overall responses at the last timepoint both signed; null before any follow-up */
  bor: { r1: string | null; r2: string | null } | null;
  /** completed adjudications (superseded ones excluded) and whether one is open */
  adjudications: Array<{ chosenReaderNo: 1 | 2; cause: DiscordanceCause }>;
  adjudicationOpen: boolean;
}

export interface MeasurementUse {
  readerId: string;
  decision: MeasurementDecision;
  aiProposalMm: number | null;
  finalMm: number;
}

export interface AiAssist {
  proposals: number;
  accepted: number;
  edited: number;
  rejected: number;
  manual: number;
  /** accepted / proposals */
  acceptanceRate: number | null;
  /** mean |final - proposal| over edited measurements */
  meanEditMm: number | null;
}

export interface PerformanceFigures {
  subjectsCompared: number;
  subjectsAdjudicated: number;
  adjudicationRate: number | null;
  adjudicationsCompleted: number;
  /** trial level: how often the adjudicator chose reader 1 / reader 2; reader level: chosen / not chosen */
  chosen: { reader1: number; reader2: number };
  timepointAgreement: Agreement;
  bestOverallResponseAgreement: Agreement;
  discordanceCauses: Record<DiscordanceCause, number>;
  aiAssist: AiAssist;
}

export interface ReaderFigures extends Omit<PerformanceFigures, 'chosen'> {
  readerId: string;
  chosen: number;
  notChosen: number;
  /** share of this reader's completed adjudications where the adjudicator chose the other read */
  disagreementIndex: number | null;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

function aiAssist(uses: MeasurementUse[]): AiAssist {
  const count = (d: MeasurementDecision) => uses.filter((u) => u.decision === d).length;
  const withAi = uses.filter((u) => u.decision !== 'manual');
  const edits = uses.filter((u) => u.decision === 'edited' && u.aiProposalMm !== null).map((u) => Math.abs(u.finalMm - u.aiProposalMm!));
  return {
    proposals: withAi.length,
    accepted: count('accepted'),
    edited: count('edited'),
    rejected: count('rejected'),
    manual: count('manual'),
    acceptanceRate: ratio(count('accepted'), withAi.length),
    meanEditMm: edits.length ? edits.reduce((s, x) => s + x, 0) / edits.length : null,
  };
}

function figures(subjects: SubjectComparison[], uses: MeasurementUse[]) {
  const pairs = (sel: (s: SubjectComparison) => Array<[string, string]>) => subjects.flatMap(sel);
  const causes = Object.fromEntries(DISCORDANCE_CAUSES.map((c) => [c, 0])) as Record<DiscordanceCause, number>;
  for (const s of subjects) for (const a of s.adjudications) causes[a.cause] += 1;
  const adjudicated = subjects.filter((s) => s.adjudications.length > 0 || s.adjudicationOpen).length;
  const norm = (v: string | null) => v ?? 'none';
  return {
    subjectsCompared: subjects.length,
    subjectsAdjudicated: adjudicated,
    adjudicationRate: ratio(adjudicated, subjects.length),
    adjudicationsCompleted: subjects.reduce((n, s) => n + s.adjudications.length, 0),
    timepointAgreement: cohensKappa(pairs((s) => s.timepointPairs.map((p) => [norm(p.r1), norm(p.r2)]))),
    bestOverallResponseAgreement: cohensKappa(pairs((s) => (s.bor ? [[norm(s.bor.r1), norm(s.bor.r2)]] : []))),
    discordanceCauses: causes,
    aiAssist: aiAssist(uses),
  };
}

export function readerPerformance(subjects: SubjectComparison[], uses: MeasurementUse[]): { trial: PerformanceFigures; readers: ReaderFigures[] } {
  const all = subjects.flatMap((s) => s.adjudications);
  const trial: PerformanceFigures = {
    ...figures(subjects, uses),
    chosen: { reader1: all.filter((a) => a.chosenReaderNo === 1).length, reader2: all.filter((a) => a.chosenReaderNo === 2).length },
  };
  const readerIds = [...new Set([...subjects.flatMap((s) => [s.reader1, s.reader2]), ...uses.map((u) => u.readerId)])].sort();
  const readers = readerIds.map((readerId): ReaderFigures => {
    const mine = subjects.filter((s) => s.reader1 === readerId || s.reader2 === readerId);
    let chosen = 0;
    let notChosen = 0;
    for (const s of mine) {
      const no = s.reader1 === readerId ? 1 : 2;
      for (const a of s.adjudications) {
        if (a.chosenReaderNo === no) chosen += 1;
        else notChosen += 1;
      }
    }
    return {
      readerId,
      ...figures(mine, uses.filter((u) => u.readerId === readerId)),
      chosen,
      notChosen,
      disagreementIndex: ratio(notChosen, chosen + notChosen),
    };
  });
  return { trial, readers };
}

import type { components } from '../api/schema.js';

type Schemas = components['schemas'];

// The reading resources as the screens use them. The contract types the read content fully; the engine's output,
// signatures, triggers, final assessments and reader statistics are `type: object` in openapi.yaml, so their
// shapes are written out here from what the server's projections return (src/domain/blinding/projections.ts,
// src/domain/reading/*). Each is read through one cast below, at the boundary, and nowhere else.

export type ReadContent = Schemas['ReadContent'];
export type TargetLesion = Schemas['TargetLesion'];
export type NonTargetLesion = Schemas['NonTargetLesion'];
export type NewLesion = Schemas['NewLesion'];
export type Measurement = Schemas['Measurement'];
export type ResponseOverride = NonNullable<ReadContent['responseOverrides']>[number];
export type BlindedTimepoint = Schemas['BlindedTimepoint'];
export type ReadingTask = Schemas['ReadingTask'];

export const TARGET_STATUSES = ['measured', 'too_small', 'disappeared', 'not_evaluated', 'split', 'coalesced'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];
export const NON_TARGET_STATUSES = ['present', 'absent', 'unequivocal_progression', 'not_evaluated'] as const;
export type NonTargetStatus = (typeof NON_TARGET_STATUSES)[number];
export const NEW_LESION_STATUSES = ['present', 'absent', 'not_evaluated'] as const;
export const IRECIST_NEW_LESION_TYPES = ['NLT', 'NLNT'] as const;
export const MEASUREMENT_DECISIONS = ['accepted', 'edited', 'rejected', 'manual'] as const;
export type MeasurementDecision = (typeof MEASUREMENT_DECISIONS)[number];
export const RESPONSE_CRITERIA = ['RECIST1.1', 'iRECIST'] as const;
export type ResponseCriteria = (typeof RESPONSE_CRITERIA)[number];
/** The adjudicator's coded discordance causes (src/domain/reading/reader-performance.ts). */
export const DISCORDANCE_CAUSES = ['target_selection', 'measurement', 'new_lesion', 'non_target_assessment', 'image_quality', 'other'] as const;
export type DiscordanceCause = (typeof DISCORDANCE_CAUSES)[number];

export const TARGET_STATUS_LABEL: Record<TargetStatus, string> = {
  measured: 'Measured',
  too_small: 'Too small to measure (5 mm)',
  disappeared: 'Disappeared',
  not_evaluated: 'Not evaluated',
  split: 'Split into fragments',
  coalesced: 'Coalesced into another target',
};
export const NON_TARGET_STATUS_LABEL: Record<NonTargetStatus, string> = {
  present: 'Present (non-CR/non-PD)',
  absent: 'Absent',
  unequivocal_progression: 'Unequivocal progression',
  not_evaluated: 'Not evaluated',
};
export const CAUSE_LABEL: Record<DiscordanceCause, string> = {
  target_selection: 'Target lesion selection',
  measurement: 'Measurement',
  new_lesion: 'New lesion',
  non_target_assessment: 'Non-target assessment',
  image_quality: 'Image quality',
  other: 'Other',
};
export const CRITERIA_LABEL: Record<ResponseCriteria, string> = { 'RECIST1.1': 'RECIST 1.1', iRECIST: 'iRECIST' };
/** Responses a reader may state instead of the engine's (RECIST 1.1 Table 1-3; iRECIST Seymour 2017). */
export const RESPONSE_OPTIONS: Record<ResponseCriteria, readonly string[]> = {
  'RECIST1.1': ['CR', 'PR', 'SD', 'NON_CR_NON_PD', 'PD', 'NE'],
  iRECIST: ['iCR', 'iPR', 'iSD', 'NON_iCR_NON_iUPD', 'iUPD', 'iCPD', 'NE'],
};

// ---- the engine's evaluation as a blinded viewer or staff receive it ------------------------------------------

export interface Recist11Timepoint {
  target: string | null;
  nonTarget: string | null;
  newLesions: boolean;
  overall: string;
  targetSumMm: number | null;
  nadirMm: number | null;
  explanation?: string;
}
export interface EngineTimepoint {
  label: string;
  recist11: Recist11Timepoint | null;
  irecist?: { overall: string; explanation?: string } | null;
}
export interface CriteriaResponse {
  criteria: ResponseCriteria;
  engine: string | null;
  override: string | null;
  reason: string | null;
  effective: string | null;
}
export interface Evaluation {
  baseline: { valid: boolean; sumMm: number | null; violations: Array<{ code: string; organ?: string; lesionId?: string; targetId?: string }> };
  timepoints: EngineTimepoint[];
  bestOverallResponse: { recist11?: string | null; irecist?: string | null };
  responses: CriteriaResponse[];
  timepoint: string;
}
/** Core-lab staff receive the stored evaluation unprojected: the engine output and the timepoint's responses. */
interface StaffEvaluation {
  engine: Omit<Evaluation, 'responses' | 'timepoint'>;
  timepoint: { label: string; responses: CriteriaResponse[] };
}

export interface Signature {
  meaning: string;
  signedAt: string;
  recordVersion: number;
  contentSha256: string;
  authentic: boolean;
  matchesRecord: boolean;
  /** §11.50: printed name (or the signer's role in the read, for an adjudicator), UTC time, meaning */
  manifestation: string;
  signerName?: string;
}

export interface ReadVersion {
  version: number;
  state: 'draft' | 'signed' | 'superseded';
  content: ReadContent;
  evaluation: Evaluation | null;
  reason: string | null;
  signature: Signature | null;
  signedAt: string | null;
}

export interface PreviousRead {
  readId: string;
  timepoint: BlindedTimepoint;
  version: number;
  content: ReadContent;
}

export interface ContentProblem {
  pointer: string;
  detail: string;
}

export interface ReadView {
  id: string;
  trialId: string;
  subject: { id: string; subjectCode?: string };
  timepoint: BlindedTimepoint & { blindedLabel?: string };
  state: 'waiting' | 'open' | 'draft' | 'signed';
  dueOn: string;
  currentVersion: number;
  versions: ReadVersion[];
  live: { evaluation: Evaluation | null; problems: ContentProblem[] } | null;
  previous: PreviousRead[];
  /** present for core-lab staff only */
  readerNo?: number;
  readerName?: string;
}

/** The one place where an untyped evaluation is read: blinded projection or the staff's stored record. */
export function evaluationOf(x: unknown): Evaluation | null {
  if (!x || typeof x !== 'object') return null;
  if ('engine' in x) {
    const s = x as StaffEvaluation;
    return { ...s.engine, responses: s.timepoint.responses, timepoint: s.timepoint.label };
  }
  return x as Evaluation;
}

export function asRead(r: Schemas['Read']): ReadView {
  const raw = r as unknown as ReadView & { live?: { evaluation: unknown; problems: ContentProblem[] } | null };
  return {
    ...raw,
    timepoint: r.timepoint as ReadView['timepoint'],
    versions: raw.versions.map((v) => ({ ...v, evaluation: evaluationOf(v.evaluation), reason: v.reason ?? null, signature: (v.signature ?? null) as Signature | null, signedAt: v.signedAt ?? null })),
    live: raw.live ? { evaluation: evaluationOf(raw.live.evaluation), problems: raw.live.problems ?? [] } : null,
    previous: (raw.previous ?? []) as PreviousRead[],
  };
}

/** A timepoint's label: the blinded one (readers), or staff's record which names it blindedLabel. */
export const labelOf = (t: { label?: string; blindedLabel?: string }): string => t.label ?? t.blindedLabel ?? '?';

/** How a blinded subject is named on screen: its code where the charter reveals it, else a short reference. */
export const subjectName = (s: { id: string; subjectCode?: string }): string => s.subjectCode ?? `Subject ${s.id.slice(0, 8)}`;

// ---- adjudication ---------------------------------------------------------------------------------------------

export interface TriggerFinding {
  trigger: 'best_overall_response_differs' | 'progression_date_differs' | 'timepoint_response_differs';
  label?: string;
  reader1: string | null;
  reader2: string | null;
  daysApart?: number | null;
}

export interface AdjudicatedRead {
  readId: string;
  timepoint: BlindedTimepoint & { blindedLabel?: string };
  version: number;
  content: ReadContent;
  evaluation: Evaluation | null;
  signature: Signature | null;
  readerName?: string;
}

export interface AdjudicationView {
  id: string;
  trialId: string;
  subject: { id: string; subjectCode?: string };
  throughTimepoint: BlindedTimepoint & { blindedLabel?: string };
  scope: 'timepoint' | 'subject';
  state: 'open' | 'completed' | 'superseded';
  triggers: TriggerFinding[];
  dueOn?: string;
  completedAt?: string | null;
  decision: { chosenReaderNo: 1 | 2; rationale: string; cause: DiscordanceCause; signature: Signature | null } | null;
  reads: { reader1: AdjudicatedRead[]; reader2: AdjudicatedRead[] };
  assigneeName?: string | null;
  /** staff only: why a newer comparison replaced this one (a correction changed a signed read) */
  supersededReason?: string | null;
}

export function asAdjudication(a: Schemas['Adjudication']): AdjudicationView {
  const raw = a as unknown as AdjudicationView;
  const side = (list: AdjudicatedRead[] | undefined) => (list ?? []).map((r) => ({ ...r, evaluation: evaluationOf(r.evaluation) }));
  return { ...raw, decision: raw.decision ?? null, reads: { reader1: side(raw.reads?.reader1), reader2: side(raw.reads?.reader2) } };
}

// ---- final assessment and reader statistics (core-lab staff) --------------------------------------------------

export interface FinalTimepoint {
  timepoint: { id: string; blindedLabel: string; visitCode: string; visitLabel: string; visitNum: number; scanDate: string | null; state: string };
  source: 'concordant' | 'adjudicated' | 'pending_adjudication' | 'not_read';
  readerNo: number | null;
  adjudicationId: string | null;
  responses: CriteriaResponse[] | null;
  bestOverallResponse: Partial<Record<ResponseCriteria, string | null>> | null;
  readVersion: number | null;
}
export interface FinalAssessment {
  subject: { id: string; subjectCode: string; siteId?: string; siteName?: string };
  timepoints: FinalTimepoint[];
  adjudications: Array<{ id: string; throughTimepointId: string; state: 'open' | 'completed'; chosenReaderNo: 1 | 2 | null }>;
}
export const asFinalAssessment = (f: Schemas['FinalAssessment']): FinalAssessment => f as unknown as FinalAssessment;

export interface Agreement {
  n: number;
  observed: number | null;
  expected: number | null;
  kappa: number | null;
}
export interface AiAssist {
  proposals: number;
  accepted: number;
  edited: number;
  rejected: number;
  manual: number;
  acceptanceRate: number | null;
  meanEditMm: number | null;
}
interface Figures {
  subjectsCompared: number;
  subjectsAdjudicated: number;
  adjudicationRate: number | null;
  adjudicationsCompleted: number;
  timepointAgreement: Agreement;
  bestOverallResponseAgreement: Agreement;
  discordanceCauses: Record<DiscordanceCause, number>;
  aiAssist: AiAssist;
}
export interface ReaderStats {
  trialId: string;
  criteria: string;
  trial: Figures & { chosen: { reader1: number; reader2: number } };
  readers: Array<Figures & { readerId: string; readerName: string | null; chosen: number; notChosen: number; disagreementIndex: number | null }>;
}
export const asReaderStats = (s: Schemas['ReaderStats']): ReaderStats => s as unknown as ReaderStats;

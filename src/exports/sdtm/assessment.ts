// Builder input: per-reader and adjudicated assessments of each subject, each with the response engine's own
// input and output (src/domain/response/: one subject, one read, primer 11). Only what is specific to the export
// is defined here: assessors, lesion locations, visits and the study.
import type { SubjectEvaluation, SubjectResponseInput } from '../../domain/response/index.js';

export const EVALUATORS = ['INDEPENDENT ASSESSOR', 'ADJUDICATOR'] as const;
export type Evaluator = (typeof EVALUATORS)[number];
export const EVALUATOR_IDS = ['RADIOLOGIST 1', 'RADIOLOGIST 2', 'ADJUDICATOR 1'] as const;
export type EvaluatorId = (typeof EVALUATOR_IDS)[number];

export interface Assessor {
  readonly eval: Evaluator;
  readonly evalId: EvaluatorId;
}

/** Where a lesion is, in CDISC terms (LOC, LAT, DIR, PORTOT codelists), plus an image reference. */
export interface LesionLocation {
  readonly loc: string;
  readonly lat?: string;
  readonly dir?: string;
  readonly portot?: string;
  /** Image / series identifier written to --REFID. */
  readonly refId?: string;
}

export interface SubjectAssessment {
  readonly assessor: Assessor;
  /** Engine input this assessment was evaluated from (for an adjudication: the selected reader's input). */
  readonly input: SubjectResponseInput;
  /** The engine's evaluation of `input` as signed by the assessor; RS reports it, the conformance check re-derives it. */
  readonly evaluation: SubjectEvaluation;
  /** Location per engine lesion id (targets, non-targets, new lesions). */
  readonly locations: Readonly<Record<string, LesionLocation>>;
  /**
   * Adjudication by selection (primer 3.2): the reader whose assessment the adjudicator chose. The adjudicator
   * then gets RS records only (OVRLRESP per adjudicated visit and BESTRESP). Absent on reader assessments and on
   * an adjudicator's own re-read, which gets full TU/TR/RS records like a reader.
   */
  readonly selectedEvalId?: EvaluatorId;
}

export interface SubjectVisit {
  readonly visitNum: number;
  readonly visit: string;
  readonly epoch?: string;
  /** The engine timepoint label of this visit (FollowupInput.label); null for the baseline visit. */
  readonly timepointLabel: string | null;
}

export interface ExportSubject {
  readonly usubjid: string;
  /** DM.RFSTDTC (ISO 8601 date); --DY is written only when known. */
  readonly rfstdtc?: string;
  readonly visits: readonly SubjectVisit[];
  readonly assessments: readonly SubjectAssessment[];
}

export interface ExportStudy {
  readonly studyId: string;
  readonly studyName?: string;
  readonly studyDescription?: string;
  readonly protocolName?: string;
  /** Data cut-off, ISO 8601 date or UTC datetime; also the XPT/define.xml creation datetime (reproducibility). */
  readonly cutoff: string;
  /** Reading centre written to --NAM, when given. */
  readonly readingCentre?: string;
  /** Accepted reader for subjects that were not adjudicated (primer 3.3; one rule for the whole export). */
  readonly primaryEvalId: EvaluatorId;
}

export interface ExportInput {
  readonly study: ExportStudy;
  readonly subjects: readonly ExportSubject[];
}

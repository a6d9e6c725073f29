// The response engine's input/output JSON contract (fixed with the engine's authors; the engine lives in
// src/domain/response/). Reading only builds the input from reads and stores the output: no RECIST rule is
// applied here.
export const TARGET_STATUSES = ['measured', 'too_small', 'disappeared', 'not_evaluated', 'split', 'coalesced'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];
export const NON_TARGET_STATUSES = ['present', 'absent', 'unequivocal_progression', 'not_evaluated'] as const;
export type NonTargetStatus = (typeof NON_TARGET_STATUSES)[number];
export const NEW_LESION_STATUSES = ['present', 'absent', 'not_evaluated'] as const;
export type NewLesionStatus = (typeof NEW_LESION_STATUSES)[number];
export const IRECIST_NEW_LESION_TYPES = ['NLT', 'NLNT'] as const;
export type IrecistNewLesionType = (typeof IRECIST_NEW_LESION_TYPES)[number];

export interface EngineInput {
  criteria: string[];
  protocol: Record<string, unknown>;
  baseline: {
    date: string;
    modality: string;
    sliceThicknessMm: number;
    targets: Array<{ id: string; organ: string; nodal: boolean; diameterMm: number; method: string }>;
    nonTargets: Array<{ id: string; organ: string; nodal: boolean }>;
  };
  followups: EngineFollowup[];
}

export interface EngineFollowup {
  label: string;
  date: string;
  assessed: boolean;
  targets: Array<{ id: string; status: TargetStatus; diameterMm?: number; fragmentsMm?: number[]; coalescedInto?: string }>;
  nonTargets: Array<{ id: string; status: NonTargetStatus; increasedSincePrevious?: boolean }>;
  newLesions: Array<{ id: string; organ: string; nodal: boolean; irecistType: IrecistNewLesionType; status: NewLesionStatus; diameterMm?: number }>;
}

export interface EngineTimepoint {
  label: string;
  recist11: {
    target: string | null;
    nonTarget: string | null;
    newLesions: boolean;
    overall: string;
    targetSumMm: number | null;
    nadirMm: number | null;
    explanation?: string;
    [more: string]: unknown;
  } | null;
  irecist?: { overall: string; explanation?: string; [more: string]: unknown } | null;
  [more: string]: unknown;
}

export interface EngineOutput {
  baseline: { valid: boolean; violations: Array<{ code: string; [detail: string]: unknown }>; sumMm: number | null; [more: string]: unknown };
  timepoints: EngineTimepoint[];
  bestOverallResponse: { recist11: string | null; irecist?: string | null; [more: string]: unknown };
  [more: string]: unknown;
}

/** The key of each criteria system in the engine's output. */
export function criteriaKey(criteria: string): 'recist11' | 'irecist' {
  return criteria === 'iRECIST' ? 'irecist' : 'recist11';
}

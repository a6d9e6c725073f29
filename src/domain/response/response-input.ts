// The engine's input: one subject, one read (primer 11: each read is evaluated on its own target selection).
// Field names are the CLI contract (camelCase, sizes in mm, nodes by short axis, dates ISO YYYY-MM-DD).
import type { PartialResponseOptions, ResponseOptions } from './response-options.js';
import type {
  Criterion,
  MeasurementMethod,
  NewLesionStatus,
  NewLesionType,
  NonTargetStatus,
} from './response-values.js';

export interface BaselineTargetInput {
  readonly id: string;
  /** All lymph nodes count as one organ whatever is written here (primer 2.2). */
  readonly organ: string;
  readonly nodal: boolean;
  /** Longest diameter; short axis for nodes. */
  readonly diameterMm: number;
  /** Defaults to the baseline modality. */
  readonly method?: MeasurementMethod;
  /** Overrides the baseline slice thickness for this lesion (CT/MRI). */
  readonly sliceThicknessMm?: number;
  /** Nodal station, kept apart from the organ (primer 2.2). */
  readonly station?: string;
  /** Primer 2.1: previously irradiated / locally treated lesion. */
  readonly previouslyIrradiated?: boolean;
  /** Primer 2.1: progression documented since the irradiation. */
  readonly progressedSinceIrradiation?: boolean;
}

export interface BaselineNonTargetInput {
  readonly id: string;
  readonly organ: string;
  readonly nodal: boolean;
  readonly station?: string;
}

export interface BaselineInput {
  readonly date: string;
  /** Default method of the targets; CT when absent. */
  readonly modality?: MeasurementMethod;
  /** CT/MRI reconstruction interval; the 10 mm limit applies when absent (thickness <= 5 mm assumed). */
  readonly sliceThicknessMm?: number;
  readonly targets: readonly BaselineTargetInput[];
  readonly nonTargets: readonly BaselineNonTargetInput[];
}

export type TargetReadingInput =
  | { readonly id: string; readonly status: 'measured'; readonly diameterMm: number }
  | { readonly id: string; readonly status: 'too_small' | 'disappeared' | 'not_evaluated' }
  | { readonly id: string; readonly status: 'split'; readonly fragmentsMm: readonly number[] }
  | { readonly id: string; readonly status: 'coalesced'; readonly coalescedInto: string };

export interface NonTargetReadingInput {
  readonly id: string;
  readonly status: NonTargetStatus;
  /** Finer iRECIST reading (primer 9.4, 10): any increase since the previous assessment. */
  readonly increasedSincePrevious?: boolean;
}

export interface NewLesionReadingInput {
  readonly id: string;
  /** Required when the lesion first appears; must not change afterwards. */
  readonly organ?: string;
  readonly nodal?: boolean;
  readonly irecistType: NewLesionType;
  readonly status: NewLesionStatus;
  /** NLT only, required while present (longest diameter; short axis for nodes). */
  readonly diameterMm?: number;
  /** NLNT only: any increase since the previous assessment (primer 9.4: confirms iCPD). */
  readonly increasedSincePrevious?: boolean;
  /** NLNT only: unequivocal progression (primer 9.3: new-lesion progression after a reset). */
  readonly unequivocalProgression?: boolean;
}

export interface FollowupInput {
  readonly label: string;
  readonly date: string;
  /** false: no imaging at this timepoint (NE); the lesion lists must then be empty. Default true. */
  readonly assessed?: boolean;
  readonly targets?: readonly TargetReadingInput[];
  readonly nonTargets?: readonly NonTargetReadingInput[];
  readonly newLesions?: readonly NewLesionReadingInput[];
  /** Only read when the protocol lists tumourMarkersForCR (primer 5): all of them back to normal. */
  readonly tumourMarkersNormal?: boolean;
}

/** What callers send: the protocol may be partial, missing options take the primer's defaults. */
export interface SubjectResponseInput {
  readonly subjectId?: string;
  readonly criteria?: readonly Criterion[];
  readonly protocol?: PartialResponseOptions & { readonly sdReferenceDate?: string | null };
  readonly baseline: BaselineInput;
  readonly followups: readonly FollowupInput[];
}

/** A validated subject: options resolved, every reference checked, follow-ups in date order. */
export interface ValidatedSubject {
  readonly subjectId: string | null;
  readonly criteria: readonly Criterion[];
  readonly options: ResponseOptions;
  /** Subject's treatment start / randomisation date for the SD minimum duration (primer 8.1). */
  readonly sdReferenceDate: string | null;
  readonly baseline: BaselineInput;
  readonly followups: readonly ValidatedFollowup[];
}

export interface ValidatedFollowup {
  readonly label: string;
  readonly date: string;
  readonly assessed: boolean;
  readonly targets: readonly TargetReadingInput[];
  readonly nonTargets: readonly NonTargetReadingInput[];
  readonly newLesions: readonly ValidatedNewLesionReading[];
  readonly tumourMarkersNormal: boolean | null;
}

export interface ValidatedNewLesionReading extends NewLesionReadingInput {
  readonly organ: string;
  readonly nodal: boolean;
  /** true at the assessment where this id is listed for the first time. */
  readonly firstAppearance: boolean;
}

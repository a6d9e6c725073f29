// The engine's output (the CLI contract: add fields, never rename). Sizes are in mm (exact to 0.1 mm), percent
// changes are rounded to 0.1 % for display only: classification uses exact arithmetic (primer 4.2).
import type { Criterion } from './response-values.js';
import type {
  BaselineViolationCode,
  IrecistCategory,
  IrecistResponse,
  NewLesionViolationCode,
  NonTargetResponse,
  OverallResponse,
  ReasonCode,
  ReviewFlag,
  TargetResponse,
} from './response-values.js';
import type { ResponseOptions } from './response-options.js';

/** Bumped whenever a rule changes an output; stored with every evaluation (primer section 10). */
export const RESPONSE_RULESET_VERSION = 'corelab-response-1.0.0 (RECIST 1.1 2009, iRECIST 2017, primer sections 1-13)';

export interface BaselineViolation {
  readonly code: BaselineViolationCode;
  readonly lesionId?: string;
  readonly organ?: string;
  readonly detail: string;
}

export interface BaselineCheck {
  readonly valid: boolean;
  readonly violations: readonly BaselineViolation[];
  readonly sumMm: number;
  readonly targetCount: number;
  readonly nonTargetCount: number;
  /** At least one target lesion: Table 1 applies, otherwise Table 2 (primer 7). */
  readonly measurableDisease: boolean;
  readonly explanation: string;
}

/** Measurement facts shared by RECIST 1.1 and iRECIST timepoints. */
export interface TargetSumFacts {
  /** Sum of the evaluated targets (partial when targetSumComplete is false); null when none evaluated or no targets. */
  readonly targetSumMm: number | null;
  readonly targetSumComplete: boolean;
  readonly notEvaluatedTargets: readonly string[];
  readonly baselineSumMm: number | null;
  /** The nadir this timepoint was compared with (smallest complete sum before it, baseline included). */
  readonly nadirMm: number | null;
  /** 'baseline' or the label of the timepoint where the nadir was recorded. */
  readonly nadirAt: string | null;
  /** Only for complete sums; null otherwise or when the reference is 0. */
  readonly percentChangeFromBaseline: number | null;
  readonly percentChangeFromNadir: number | null;
  readonly changeFromNadirMm: number | null;
}

export interface Recist11Timepoint extends TargetSumFacts {
  readonly target: TargetResponse;
  readonly nonTarget: NonTargetResponse;
  readonly newLesions: boolean;
  readonly overall: OverallResponse;
  readonly reasons: readonly ReasonCode[];
  readonly flags: readonly ReviewFlag[];
  readonly explanation: string;
  readonly targetExplanation: string;
  readonly nonTargetExplanation: string;
  readonly newLesionExplanation: string;
}

export interface IrecistEpisodeState {
  /** none: no episode; open: iUPD awaiting confirmation; confirmed: iCPD at this timepoint; reset: closed here. */
  readonly state: 'none' | 'open' | 'confirmed' | 'reset';
  /** Index into the top-level irecist.episodes list, when an episode is involved. */
  readonly episode: number | null;
  /** The episode's opening iUPD (label and date) and its triggering categories (primer 10). */
  readonly openedAt: string | null;
  readonly openedOn: string | null;
  readonly triggers: readonly IrecistCategory[];
}

export interface IrecistTimepoint extends TargetSumFacts {
  readonly target: TargetResponse;
  readonly nonTarget: NonTargetResponse;
  /** New lesions present at this timepoint (any, old or new). */
  readonly newLesions: boolean;
  readonly newLesionsAppeared: readonly string[];
  readonly newLesionCount: number;
  /** Sum of present NLT diameters (primer 9.2: never added to the target sum); null if none or one not evaluated. */
  readonly nltSumMm: number | null;
  readonly nlntIncreased: boolean;
  readonly overall: IrecistResponse;
  readonly episode: IrecistEpisodeState;
  readonly reasons: readonly ReasonCode[];
  readonly flags: readonly ReviewFlag[];
  readonly explanation: string;
}

export interface TimepointEvaluation {
  readonly label: string;
  readonly date: string;
  readonly assessed: boolean;
  /** null after the first RECIST 1.1 PD (primer 7.3). */
  readonly recist11: Recist11Timepoint | null;
  /** Present only when the criteria include iRECIST; null after the first iCPD. */
  readonly irecist?: IrecistTimepoint | null;
}

export interface IupdEpisode {
  readonly openedAt: string;
  readonly openedOn: string;
  readonly triggers: readonly IrecistCategory[];
  /** References recorded at the iUPD that opened the episode (primer 9.3). */
  readonly references: {
    readonly targetSumMm: number | null;
    readonly nltSumMm: number | null;
    readonly newLesionCount: number;
  };
  readonly outcome: 'open' | 'confirmed' | 'reset';
  readonly closedAt: string | null;
  readonly closedOn: string | null;
  /** Categories whose growth or new progression confirmed iCPD. */
  readonly confirmedBy: readonly ReasonCode[];
  readonly daysToClosure: number | null;
}

export interface NewLesionViolation {
  readonly code: NewLesionViolationCode;
  readonly lesionId?: string;
  readonly organ?: string;
  readonly timepoint: string;
  readonly detail: string;
}

export interface IrecistSummary {
  readonly episodes: readonly IupdEpisode[];
  readonly icpd: {
    readonly confirmed: boolean;
    readonly confirmedAt: string | null;
    readonly confirmedOn: string | null;
    /** Per option irecist.progressionDate (primer 9.8: default the iUPD that opened the confirmed episode). */
    readonly progressionDate: string | null;
  };
  readonly newLesionViolations: readonly NewLesionViolation[];
}

export interface BestOverallResponse {
  readonly recist11: OverallResponse;
  readonly irecist?: IrecistResponse;
  readonly recist11Date: string | null;
  readonly recist11Explanation: string;
  readonly irecistDate?: string | null;
  readonly irecistExplanation?: string;
}

export interface ResponseDates {
  /** First date CR or PR criteria were met (with confirmation required: of a response that was confirmed). */
  readonly firstResponseDate: string | null;
  /** First documented progression (RECIST 1.1: first PD; iRECIST: per option irecist.progressionDate). */
  readonly progressionDate: string | null;
  readonly bestOverallResponseDate: string | null;
}

export interface SubjectEvaluation {
  readonly ruleSetVersion: string;
  readonly subjectId: string | null;
  readonly criteria: readonly Criterion[];
  /** The resolved options this evaluation used (defaults filled in). */
  readonly options: ResponseOptions;
  /** The SD reference date actually used, and where it came from. */
  readonly sdReference: { readonly date: string; readonly source: 'sdReferenceDate' | 'baseline_scan' };
  readonly baseline: BaselineCheck;
  readonly timepoints: readonly TimepointEvaluation[];
  readonly bestOverallResponse: BestOverallResponse;
  readonly dates: { readonly recist11: ResponseDates; readonly irecist?: ResponseDates };
  readonly irecist?: IrecistSummary;
}

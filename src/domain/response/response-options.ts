// Protocol options of the response engine: every [PROTOCOL] and [AMBIGUOUS] point of the primer (section 12,
// section 13) is an option here, never a constant in the rules. `defaultResponseOptions` is the single source of
// the defaults; protocols/recist-1.1.yaml and protocols/irecist.yaml must equal it (tested).
//
// Not options, because the papers fix them (primer 12): 5 targets / 2 per organ, 10 / 15 / 20 mm and 2 x slice
// thickness, the 10 mm normal-node threshold, 30 % / 20 % / 5 mm, and the 5 mm "too small" value.
// `irecist.enabled` of primer 12 is the presence of 'iRECIST' in the criteria list, so there is one source of truth.

export const PR_PERSISTENCE_MODES = ['strict', 'sticky'] as const;
export type PrPersistence = (typeof PR_PERSISTENCE_MODES)[number];

export const SD_DURATION_REFERENCES = ['treatment_start', 'randomisation', 'baseline_scan'] as const;
export type SdDurationReference = (typeof SD_DURATION_REFERENCES)[number];

export const IRRADIATED_LESION_POLICIES = ['never', 'after_documented_progression', 'always'] as const;
export type IrradiatedLesionPolicy = (typeof IRRADIATED_LESION_POLICIES)[number];

export const ICPD_SIZE_REFERENCES = ['first_iupd', 'previous_iupd'] as const;
export type IcpdSizeReference = (typeof ICPD_SIZE_REFERENCES)[number];

export const RESET_WITH_PERSISTING_NEW_LESIONS_MODES = ['requires_target_shrinkage', 'never', 'always'] as const;
export type ResetWithPersistingNewLesions = (typeof RESET_WITH_PERSISTING_NEW_LESIONS_MODES)[number];

export const IRECIST_PROGRESSION_DATE_RULES = ['first_iupd_of_confirmed_episode', 'icpd'] as const;
export type IrecistProgressionDateRule = (typeof IRECIST_PROGRESSION_DATE_RULES)[number];

export interface ConfirmationOptions {
  /** Primer 8.3: CR/PR count for BOR only when confirmed. [PROTOCOL] */
  readonly required: boolean;
  /** Primer 8.3: confirming assessment at least this many calendar days later (inclusive). */
  readonly minDays: number;
  /** Primer 8.3 / 13.5: NE assessments allowed between a response and its confirmation. */
  readonly maxInterveningNE: number;
  /** Primer 8.3 / 13.5: whether an SD between a PR and its confirmation is tolerated. */
  readonly acceptInterveningSD: boolean;
}

export interface IrecistOptions {
  /** Primer 9.4: an assessment earlier than this after the iUPD does not confirm by growth. */
  readonly icpdMinDaysAfterIupd: number;
  /** Primer 9.4: protocol tolerance subtracted from icpdMinDaysAfterIupd (FAQ suggests 2). */
  readonly icpdWindowToleranceDays: number;
  /** Primer 9.4: recommended upper bound; a later confirmation is still used but flagged. */
  readonly icpdMaxDaysAfterIupd: number;
  /** Primer 9.4 / 13.8: growth measured from the episode's first iUPD (cumulative) or the latest iUPD. */
  readonly icpdSizeReference: IcpdSizeReference;
  /** Primer 9.6 / 13.7: may an episode reset while previously recorded new lesions are still present. */
  readonly resetWithPersistingNewLesions: ResetWithPersistingNewLesions;
  /** Primer 9.4 / 13.9: an early scan showing an additional new lesion may confirm (manual override, off). */
  readonly earlyScanNewLesionMayConfirm: boolean;
  /** Primer 9.4 item 2 / 13.13: progression newly appearing in another category confirms (FAQ). false: Table 2 read alone. */
  readonly confirmThroughOtherCategory: boolean;
  /** Primer 9.8 / 13.11: an iUPD between an iCR/iPR and its confirmation breaks the confirmation, like PD. */
  readonly iupdBreaksConfirmation: boolean;
  /** Primer 9.8 / 13.12: progression date of a confirmed episode: the iUPD that opened it, or the iCPD itself. */
  readonly progressionDate: IrecistProgressionDateRule;
}

export interface ResponseOptions {
  readonly confirmation: ConfirmationOptions;
  /** Primer 8.1: SD counts for BOR only at or after reference + this many days. [PROTOCOL] (often 42 or 56) */
  readonly sdMinDurationDays: number;
  /** Primer 8.1: which date the SD duration runs from. [PROTOCOL] */
  readonly sdDurationReference: SdDurationReference;
  /** Primer 7.4 / 13.1. */
  readonly prPersistence: PrPersistence;
  /** Primer 6 / 13.3: reappearance after an overall CR (confirmed or not) is PD. */
  readonly pdOnReappearanceAfterCR: boolean;
  /** Primer 2.4: baseline imaging at most this many days before treatment start. [PROTOCOL] */
  readonly baselineWindowDays: number;
  /** Primer 2.1: when a previously irradiated lesion may be a target. [PROTOCOL] */
  readonly irradiatedLesionsMeasurable: IrradiatedLesionPolicy;
  /** Primer 2.2: whether subjects with non-measurable disease only are eligible. [PROTOCOL] */
  readonly nonMeasurableOnlyEligible: boolean;
  /** Primer 5: markers (e.g. CA-125, PSA) that must be normal for CR. Empty: markers are not used. [PROTOCOL] */
  readonly tumourMarkersForCR: readonly string[];
  /** Primer 6: FDG-PET rules. Recorded for the reading workflow, which applies them when recording new lesions. */
  readonly fdgPet: boolean;
  readonly irecist: IrecistOptions;
}

/**
 * The primer's defaults (section 12). Where the primer says "protocol" a value had to be chosen:
 * - confirmation.required: true, the conservative choice (a forgotten setting cannot inflate a response rate;
 *   the paper requires confirmation whenever response is the primary endpoint of a non-randomised trial);
 * - sdMinDurationDays: 42, the lower end of the paper's "not less than 6-8 weeks";
 * - nonMeasurableOnlyEligible: true, so that Table 2 subjects are evaluated without a baseline violation.
 */
export const defaultResponseOptions: ResponseOptions = deepFreeze({
  confirmation: { required: true, minDays: 28, maxInterveningNE: 1, acceptInterveningSD: false },
  sdMinDurationDays: 42,
  sdDurationReference: 'treatment_start',
  prPersistence: 'strict',
  pdOnReappearanceAfterCR: true,
  baselineWindowDays: 28,
  irradiatedLesionsMeasurable: 'after_documented_progression',
  nonMeasurableOnlyEligible: true,
  tumourMarkersForCR: [],
  fdgPet: false,
  irecist: {
    icpdMinDaysAfterIupd: 28,
    icpdWindowToleranceDays: 0,
    icpdMaxDaysAfterIupd: 56,
    icpdSizeReference: 'first_iupd',
    resetWithPersistingNewLesions: 'requires_target_shrinkage',
    earlyScanNewLesionMayConfirm: false,
    confirmThroughOtherCategory: true,
    iupdBreaksConfirmation: true,
    progressionDate: 'first_iupd_of_confirmed_episode',
  },
});

/** A protocol may state only what differs from the defaults. */
export type PartialResponseOptions = {
  readonly [K in keyof ResponseOptions]?: ResponseOptions[K] extends readonly string[]
    ? ResponseOptions[K]
    : ResponseOptions[K] extends object
      ? Partial<ResponseOptions[K]>
      : ResponseOptions[K];
};

/** Fills what a protocol leaves out with the defaults (one level of nesting: confirmation, irecist). */
export function withDefaultResponseOptions(partial: PartialResponseOptions = {}): ResponseOptions {
  return deepFreeze({
    ...defaultResponseOptions,
    ...partial,
    confirmation: { ...defaultResponseOptions.confirmation, ...partial.confirmation },
    irecist: { ...defaultResponseOptions.irecist, ...partial.irecist },
    tumourMarkersForCR: [...(partial.tumourMarkersForCR ?? defaultResponseOptions.tumourMarkersForCR)],
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

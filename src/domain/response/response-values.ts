// Closed sets of the response engine: input statuses, category / timepoint / best responses, and the
// machine-readable reasons stored beside every response (primer section 10). Each set is an `as const` array
// with a derived union so that switches over them are exhaustive.

export const CRITERIA = ['RECIST1.1', 'iRECIST'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** How a lesion was measured at baseline; decides the measurability limit (primer 2.1). */
export const MEASUREMENT_METHODS = ['CT', 'MRI', 'CXR', 'CALIPER'] as const;
export type MeasurementMethod = (typeof MEASUREMENT_METHODS)[number];

/** Reader's call for a baseline target at follow-up (primer section 3). */
export const TARGET_STATUSES = [
  'measured', // the recorded diameter (nodes: short axis), however small
  'too_small', // seen but too small to measure: counts 5 mm
  'disappeared', // judged gone: counts 0 mm
  'not_evaluated', // not imaged or not assessable: unknown
  'split', // fragmented: the fragments' diameters are summed
  'coalesced', // merged into another target that carries the measurement: counts 0 mm
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** Reader's call for a baseline non-target at follow-up (primer 2.3, section 5). */
export const NON_TARGET_STATUSES = ['present', 'absent', 'unequivocal_progression', 'not_evaluated'] as const;
export type NonTargetStatus = (typeof NON_TARGET_STATUSES)[number];

/** iRECIST designation of a new lesion when it first appears (primer 9.2). */
export const NEW_LESION_TYPES = ['NLT', 'NLNT'] as const;
export type NewLesionType = (typeof NEW_LESION_TYPES)[number];

export const NEW_LESION_STATUSES = ['present', 'absent', 'not_evaluated'] as const;
export type NewLesionStatus = (typeof NEW_LESION_STATUSES)[number];

/** Target lesion category response (primer 4.1); NA when there were no targets at baseline. */
export const TARGET_RESPONSES = ['CR', 'PR', 'SD', 'PD', 'NE', 'NA'] as const;
export type TargetResponse = (typeof TARGET_RESPONSES)[number];

/** Non-target category response (primer section 5); NA when there were no non-targets at baseline. */
export const NON_TARGET_RESPONSES = ['CR', 'NON_CR_NON_PD', 'PD', 'NE', 'NA'] as const;
export type NonTargetResponse = (typeof NON_TARGET_RESPONSES)[number];

/** RECIST 1.1 timepoint (overall) response, RECIST 1.1 Tables 1 and 2 (primer section 7). */
export const OVERALL_RESPONSES = ['CR', 'PR', 'SD', 'NON_CR_NON_PD', 'PD', 'NE'] as const;
export type OverallResponse = (typeof OVERALL_RESPONSES)[number];

/** iRECIST timepoint response (primer section 9). */
export const IRECIST_RESPONSES = ['iCR', 'iPR', 'iSD', 'NON_iCR_NON_iUPD', 'iUPD', 'iCPD', 'NE'] as const;
export type IrecistResponse = (typeof IRECIST_RESPONSES)[number];

/** Category that opened or confirmed an iUPD episode (primer 9.3, 9.4). */
export const IRECIST_CATEGORIES = ['target', 'nonTarget', 'newLesion'] as const;
export type IrecistCategory = (typeof IRECIST_CATEGORIES)[number];

/** Baseline check codes (primer 2.1, 2.2, 2.4). */
export const BASELINE_VIOLATION_CODES = [
  'TARGET_BELOW_MIN_SIZE',
  'NODAL_TARGET_SHORT_AXIS_BELOW_15',
  'TOO_MANY_TARGETS_TOTAL',
  'TOO_MANY_TARGETS_PER_ORGAN',
  'IRRADIATED_TARGET_NOT_MEASURABLE', // option irradiatedLesionsMeasurable
  'NO_MEASURABLE_DISEASE', // option nonMeasurableOnlyEligible = false and no target
  'NO_BASELINE_DISEASE', // neither targets nor non-targets
  'BASELINE_OUTSIDE_WINDOW', // option baselineWindowDays, against the SD reference date (treatment start)
] as const;
export type BaselineViolationCode = (typeof BASELINE_VIOLATION_CODES)[number];

/** iRECIST new-lesion designation check codes (primer 9.2: measurability and the 5 / 2 limits). */
export const NEW_LESION_VIOLATION_CODES = [
  'NEW_TARGET_BELOW_MIN_SIZE',
  'NEW_NODAL_TARGET_SHORT_AXIS_BELOW_15',
  'TOO_MANY_NEW_TARGETS_TOTAL',
  'TOO_MANY_NEW_TARGETS_PER_ORGAN',
] as const;
export type NewLesionViolationCode = (typeof NEW_LESION_VIOLATION_CODES)[number];

/** Machine-readable reasons stored with every response (primer section 10). */
export const REASON_CODES = [
  // target category
  'NO_TARGETS',
  'TARGET_CR',
  'TARGET_PD_FROM_NADIR',
  'TARGET_PR_FROM_BASELINE',
  'TARGET_SD',
  'MISSING_TARGET_NE',
  'MISSING_TARGET_BUT_PD',
  // non-target category
  'NO_NON_TARGETS',
  'NT_ALL_ABSENT',
  'NT_PRESENT',
  'NT_UNEQUIVOCAL',
  'NT_NOT_EVALUATED',
  'TUMOUR_MARKERS_ABOVE_NORMAL',
  'TUMOUR_MARKERS_NOT_RECORDED',
  // timepoint
  'NO_IMAGING',
  'NEW_LESION',
  'REAPPEARANCE_AFTER_CR',
  'TABLE_1',
  'TABLE_2',
  'PR_CONTINUING', // prPersistence = sticky
  'NEW_LESION_STILL_PRESENT', // iRECIST: iCR needs every new lesion gone (primer 9.6)
  // iRECIST episode
  'IUPD_OPENED',
  'IUPD_PERSISTS',
  'IUPD_PERSISTS_TOO_EARLY_TO_CONFIRM',
  'IUPD_NE_EPISODE_OPEN',
  'ICPD_TARGET_PLUS5',
  'ICPD_NON_TARGET_INCREASE',
  'ICPD_NLT_PLUS5',
  'ICPD_NLNT_INCREASE',
  'ICPD_NEW_LESION_COUNT',
  'ICPD_TARGET_NEWLY_PD',
  'ICPD_NON_TARGET_NEWLY_UNEQUIVOCAL',
  'NEW_LESION_PROGRESSION_AFTER_RESET',
  'RESET',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Situations the engine decides by its rules but that a reviewer should look at (primer 6, 13.3, 13.4, 9.4). */
export const REVIEW_FLAGS = [
  'NODES_GROWING_WHILE_NORMAL', // 13.4: CR by node rule although the sum meets PD against the nadir
  'REAPPEARANCE_SINGLE_SMALL_NODE', // 6 / 13.3: a single node < 15 mm is the only evidence of recurrence
  'ICPD_CONFIRMATION_LATE', // 9.4: confirming assessment later than icpdMaxDaysAfterIupd
  'NEW_LESION_DESIGNATION_VIOLATION', // 9.2: an NLT designation breaks measurability or the 5 / 2 limits
] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];

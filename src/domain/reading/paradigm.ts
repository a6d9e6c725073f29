// The reading paradigm of a trial's charter (protocols/*.yaml, section `reading`, schema
// protocols/schema/reading.schema.json), with the schema's defaults applied. The charter was validated when the
// trial was created; this only gives it a type.
export const ADJUDICATION_TRIGGERS = ['best_overall_response_differs', 'progression_date_differs', 'timepoint_response_differs'] as const;
export type AdjudicationTrigger = (typeof ADJUDICATION_TRIGGERS)[number];

export const ADJUDICATION_SCOPES = ['timepoint', 'subject'] as const;
export type AdjudicationScope = (typeof ADJUDICATION_SCOPES)[number];

export const RESPONSE_CRITERIA = ['RECIST1.1', 'iRECIST'] as const;
export type ResponseCriteria = (typeof RESPONSE_CRITERIA)[number];

/** BL-04: what the charter allows readers and adjudicators to see (default: nothing). */
export const REVEALABLE_FIELDS = ['subjectCode', 'visitLabel', 'scanDate'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

export interface ReadingParadigm {
  readers: 1 | 2;
  adjudication: {
    triggers: AdjudicationTrigger[];
    progressionDateToleranceDays: number;
    criteria: ResponseCriteria;
    scope: AdjudicationScope;
    adjudicatorMayRead: boolean;
  };
  pools: { readers: 'reader'; adjudicators: 'adjudicator' };
  reveal: RevealableField[];
  sequentialLocked: boolean;
  dueDays: number;
  /** response criteria the engine runs (charter section `response`) */
  criteria: ResponseCriteria[];
  /** the charter's response options, passed to the engine as they are */
  responseOptions: Record<string, unknown>;
}

export function readingParadigmOf(charter: Record<string, any>): ReadingParadigm {
  const r = charter.reading ?? {};
  const a = r.adjudication ?? {};
  const response = charter.response ?? {};
  return {
    readers: r.readers === 1 ? 1 : 2,
    adjudication: {
      triggers: Array.isArray(a.triggers) ? a.triggers : ['best_overall_response_differs', 'progression_date_differs'],
      progressionDateToleranceDays: a.progressionDateToleranceDays ?? 0,
      criteria: a.criteria ?? 'RECIST1.1',
      scope: a.scope ?? 'subject',
      adjudicatorMayRead: a.adjudicatorMayRead === true,
    },
    pools: { readers: 'reader', adjudicators: 'adjudicator' },
    reveal: Array.isArray(r.blinding?.reveal) ? r.blinding.reveal : [],
    sequentialLocked: r.sequentialLocked !== false,
    dueDays: r.dueDays ?? 14,
    criteria: Array.isArray(response.criteria) ? response.criteria : ['RECIST1.1'],
    // the charter's `response.options` (engine defaults fill the rest); `criteria` is passed separately
    responseOptions: (response.options as Record<string, unknown> | undefined) ?? {},
  };
}

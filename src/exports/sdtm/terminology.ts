// CDISC SDTM controlled terminology used by the TU/TR/RS export, as data (primer section 2.4). Pinned to one CT
// package; refresh these lists (and CT_VERSION) when the package changes. Spelling is exact: iRECIST results are
// mixed case in CT and must never be upper-cased.
// The response mappings below switch exhaustively over the response engine's own value sets
// (src/domain/response/response-values.ts): a value added there fails to compile here until it is mapped.
import type {
  IrecistResponse,
  MeasurementMethod,
  NonTargetResponse,
  OverallResponse,
  TargetResponse,
} from '../../domain/response/index.js';

export const CT_VERSION = '2025-03-28';
export const SDTMIG_VERSION = '3.4';

export interface Codelist {
  readonly id: string;
  readonly name: string;
  /** NCI code of the codelist, when it is a CDISC codelist. */
  readonly ncicode?: string;
  readonly extensible: boolean;
  readonly terms: readonly string[];
  /** Decodes for test-code/test-name style pairs (define.xml CodeListItem Decode). */
  readonly decodes?: Readonly<Record<string, string>>;
}

export const TU_TESTS = { TUMIDENT: 'Tumor Identification', TUSPLIT: 'Tumor Split', TUMERGE: 'Tumor Merged' } as const;
export type TuTestCode = keyof typeof TU_TESTS;

export const TR_TESTS = {
  LDIAM: 'Longest Diameter',
  LPERP: 'Longest Perpendicular',
  TUMSTATE: 'Tumor State',
  SUMDIAM: 'Sum of Diameter',
  PCBSD: 'Percent Change Baseline in Sum of Diam',
  PCNSD: 'Percent Change Nadir in Sum of Diam',
  ACNSD: 'Absolute Change Nadir in Sum of Diam',
} as const;
export type TrTestCode = keyof typeof TR_TESTS;
/** Standard unit per numeric TR test (one unit per TRTESTCD, conformance item 16). */
export const TR_TEST_UNITS: Readonly<Record<TrTestCode, 'mm' | '%' | null>> = {
  LDIAM: 'mm', LPERP: 'mm', TUMSTATE: null, SUMDIAM: 'mm', PCBSD: '%', PCNSD: '%', ACNSD: 'mm',
};
export const TR_LESION_TESTS = ['LDIAM', 'LPERP', 'TUMSTATE'] as const satisfies readonly TrTestCode[];
export const TR_SUMMARY_TESTS = ['SUMDIAM', 'PCBSD', 'PCNSD', 'ACNSD'] as const satisfies readonly TrTestCode[];

export const RS_TESTS = {
  TRGRESP: 'Target Response',
  NTRGRESP: 'Non-target Response',
  NEWLPROG: 'New Lesion Progression',
  OVRLRESP: 'Overall Response',
  BESTRESP: 'Best Overall Response',
} as const;
export type RsTestCode = keyof typeof RS_TESTS;

export const RS_CATEGORIES = ['RECIST 1.1', 'iRECIST'] as const;
export type RsCategory = (typeof RS_CATEGORIES)[number];

export const TU_RESULTS = ['TARGET', 'NON-TARGET', 'NEW', 'NEW TARGET', 'NEW NON-TARGET'] as const;
export type TuResult = (typeof TU_RESULTS)[number];
export const TR_GROUPS = ['TARGET', 'NON-TARGET', 'NEW'] as const;
export type TrGroup = (typeof TR_GROUPS)[number];
/** TRPROPRS (C124309) terms we write for TUMSTATE. */
export const TUMOR_STATES = ['PRESENT', 'ABSENT', 'UNEQUIVOCAL', 'INCREASED', 'EQUIVOCAL'] as const;
export type TumorState = (typeof TUMOR_STATES)[number];

/** ONCRSR (C96785) terms the engine's RECIST 1.1 responses map to (no NED: the engine never gives it). */
export const RECIST_RESULTS = ['CR', 'PR', 'SD', 'PD', 'NE', 'NON-CR/NON-PD'] as const;
export type RecistResult = (typeof RECIST_RESULTS)[number];
/** ONCRSR (C96785) terms the engine's iRECIST responses map to. */
export const IRECIST_RESULTS = ['iCR', 'iPR', 'iSD', 'iUPD', 'iCPD', 'NON-iCR/NON-iUPD', 'NE'] as const;
export type IrecistResult = (typeof IRECIST_RESULTS)[number];
export const NEW_LESION_PROGRESSION = ['EQUIVOCAL', 'UNEQUIVOCAL'] as const;
export type NewLesionProgression = (typeof NEW_LESION_PROGRESSION)[number];

export const TOO_SMALL_TO_MEASURE = 'TOO SMALL TO MEASURE';
/** RECIST 1.1: a lesion too small to measure counts as 5 mm (primer 3.6). */
export const TOO_SMALL_DEFAULT_MM = 5;
export const NOT_DONE = 'NOT DONE';
export const REASONS_NOT_DONE = { scanNotPerformed: 'SCAN NOT PERFORMED', notEvaluable: 'NOT EVALUABLE' } as const;

/** Baseline modality when the engine input leaves it out (response-input.ts: "CT when absent"). */
export const DEFAULT_MODALITY: MeasurementMethod = 'CT';

/** The engine's measurement method -> METHOD (C85492). Caliper measurement of a clinical lesion is a physical examination. */
export function methodOfModality(m: MeasurementMethod): MethodTerm {
  switch (m) {
    case 'CT':
      return 'CT SCAN';
    case 'MRI':
      return 'MRI';
    case 'CXR':
      return 'X-RAY';
    case 'CALIPER':
      return 'PHYSICAL EXAMINATION';
  }
}

/**
 * What one engine response becomes in RS: a result, or a NOT DONE record with a reason when the category does
 * not apply to the subject (engine 'NA': no targets / no non-targets at baseline). Primer 2.3: RSSTAT / RSREASND
 * "NOT DONE + reason (e.g. Subject does not have non-target tumors)"; RSORRES and RSSTRESC are then null (item 17).
 */
export type RsOutcome =
  | { readonly kind: 'result'; readonly value: RecistResult | IrecistResult | NewLesionProgression }
  | { readonly kind: 'not-done'; readonly reason: RsReasonNotDone };
export const RS_REASONS_NOT_DONE = {
  noTargets: 'Subject does not have target tumors',
  noNonTargets: 'Subject does not have non-target tumors',
} as const;
export type RsReasonNotDone = (typeof RS_REASONS_NOT_DONE)[keyof typeof RS_REASONS_NOT_DONE];

export const rsResult = (value: RecistResult | IrecistResult | NewLesionProgression): RsOutcome => ({ kind: 'result', value });
const result = rsResult;

/** TRGRESP (RECIST 1.1). */
export function targetResponseOutcome(r: TargetResponse): RsOutcome {
  switch (r) {
    case 'CR': case 'PR': case 'SD': case 'PD': case 'NE':
      return result(r);
    case 'NA':
      return { kind: 'not-done', reason: RS_REASONS_NOT_DONE.noTargets };
  }
}
/** NTRGRESP (RECIST 1.1). */
export function nonTargetResponseOutcome(r: NonTargetResponse): RsOutcome {
  switch (r) {
    case 'NON_CR_NON_PD':
      return result('NON-CR/NON-PD');
    case 'CR': case 'PD': case 'NE':
      return result(r);
    case 'NA':
      return { kind: 'not-done', reason: RS_REASONS_NOT_DONE.noNonTargets };
  }
}
/** OVRLRESP / BESTRESP, RSCAT RECIST 1.1. */
export function recistOverallResult(r: OverallResponse): RecistResult {
  switch (r) {
    case 'NON_CR_NON_PD':
      return 'NON-CR/NON-PD';
    case 'CR': case 'PR': case 'SD': case 'PD': case 'NE':
      return r;
  }
}
/** OVRLRESP / BESTRESP, RSCAT iRECIST: mixed case is the CT spelling (primer 2.4). */
export function irecistOverallResult(r: IrecistResponse): IrecistResult {
  switch (r) {
    case 'NON_iCR_NON_iUPD':
      return 'NON-iCR/NON-iUPD';
    case 'iCR': case 'iPR': case 'iSD': case 'iUPD': case 'iCPD': case 'NE':
      return r;
  }
}

/**
 * TRGRESP / NTRGRESP, RSCAT iRECIST (primer 3.7: "RS records repeated with RSCAT = iRECIST and i-prefixed
 * results"). The engine's per-category iRECIST response uses RECIST 1.1 terms; a progressed category is iUPD,
 * or iCPD at the timepoint whose overall response is iCPD (the category then stands confirmed with it).
 */
export function irecistCategoryOutcome(r: TargetResponse | NonTargetResponse, overall: IrecistResponse, category: 'target' | 'non-target'): RsOutcome {
  switch (r) {
    case 'CR': case 'PR': case 'SD':
      return result(`i${r}`);
    case 'PD':
      return result(overall === 'iCPD' ? 'iCPD' : 'iUPD');
    case 'NON_CR_NON_PD':
      return result('NON-iCR/NON-iUPD');
    case 'NE':
      return result('NE');
    case 'NA':
      return { kind: 'not-done', reason: category === 'target' ? RS_REASONS_NOT_DONE.noTargets : RS_REASONS_NOT_DONE.noNonTargets };
  }
}

/** One text per outcome, to compare RS rows with the engine: the result, or `NOT DONE (reason)`. */
export function rsOutcomeText(o: RsOutcome): string {
  return o.kind === 'result' ? o.value : `${NOT_DONE} (${o.reason})`;
}

export const METHOD_TERMS = ['CT SCAN', 'MRI', 'PET/CT SCAN', 'PET SCAN', 'X-RAY', 'PHOTOGRAPHY', 'ULTRASOUND', 'PHYSICAL EXAMINATION'] as const;
export type MethodTerm = (typeof METHOD_TERMS)[number];

export const CODELISTS = {
  TUTESTCD: { id: 'TUTESTCD', name: 'Tumor or Lesion Identification Test Code', ncicode: 'C96784', extensible: true, terms: Object.keys(TU_TESTS), decodes: TU_TESTS },
  TUTEST: { id: 'TUTEST', name: 'Tumor or Lesion Identification Test Name', ncicode: 'C96783', extensible: true, terms: Object.values(TU_TESTS) },
  TRTESTCD: { id: 'TRTESTCD', name: 'Tumor or Lesion Properties Test Code', ncicode: 'C96779', extensible: true, terms: Object.keys(TR_TESTS), decodes: TR_TESTS },
  TRTEST: { id: 'TRTEST', name: 'Tumor or Lesion Properties Test Name', ncicode: 'C96778', extensible: true, terms: Object.values(TR_TESTS) },
  RSTESTCD: { id: 'RSTESTCD', name: 'Oncology Response Assessment Test Code', ncicode: 'C96782', extensible: true, terms: Object.keys(RS_TESTS), decodes: RS_TESTS },
  RSTEST: { id: 'RSTEST', name: 'Oncology Response Assessment Test Name', ncicode: 'C96781', extensible: true, terms: Object.values(RS_TESTS) },
  TUSTRESC: { id: 'TUSTRESC', name: 'Tumor or Lesion Identification Result', ncicode: 'C123650', extensible: true, terms: TU_RESULTS },
  TRPROPRS: { id: 'TRPROPRS', name: 'Tumor or Lesion Properties Test Result', ncicode: 'C124309', extensible: true, terms: TUMOR_STATES },
  ONCRSCAT: { id: 'ONCRSCAT', name: 'Category of Oncology Response Assessment', ncicode: 'C124298', extensible: true, terms: RS_CATEGORIES },
  ONCRSR_RECIST: { id: 'ONCRSR_RECIST', name: 'Oncology Response Assessment Result (RECIST 1.1 subset)', ncicode: 'C96785', extensible: true, terms: RECIST_RESULTS },
  ONCRSR_IRECIST: { id: 'ONCRSR_IRECIST', name: 'Oncology Response Assessment Result (iRECIST subset)', ncicode: 'C96785', extensible: true, terms: IRECIST_RESULTS },
  ONCRSR_NEWLPROG: { id: 'ONCRSR_NEWLPROG', name: 'Oncology Response Assessment Result (new lesion progression subset)', ncicode: 'C96785', extensible: true, terms: NEW_LESION_PROGRESSION },
  EVAL: { id: 'EVAL', name: 'Evaluator', ncicode: 'C78735', extensible: true, terms: ['INDEPENDENT ASSESSOR', 'ADJUDICATOR', 'ADJUDICATION COMMITTEE', 'INVESTIGATOR'] },
  MEDEVAL: { id: 'MEDEVAL', name: 'Medical Evaluator Identifier', ncicode: 'C96777', extensible: true, terms: ['RADIOLOGIST 1', 'RADIOLOGIST 2', 'RADIOLOGIST 3', 'READER 1', 'READER 2', 'ADJUDICATOR 1'] },
  METHOD: { id: 'METHOD', name: 'Method', ncicode: 'C85492', extensible: true, terms: METHOD_TERMS },
  EPOCH: { id: 'EPOCH', name: 'Epoch', ncicode: 'C99079', extensible: true, terms: ['SCREENING', 'RUN-IN', 'TREATMENT', 'BLINDED TREATMENT', 'OPEN LABEL TREATMENT', 'FOLLOW-UP', 'LONG-TERM FOLLOW-UP', 'WASHOUT'] },
  LOC: {
    id: 'LOC', name: 'Anatomical Location', ncicode: 'C74456', extensible: true,
    // A subset of LOC for oncology imaging; values outside it are reported as warnings (extensible codelist).
    terms: ['ABDOMEN', 'ADRENAL GLAND', 'AXILLARY LYMPH NODE', 'BONE', 'BRAIN', 'BREAST', 'CERVICAL LYMPH NODE', 'CHEST WALL', 'COLON', 'ILIAC LYMPH NODE', 'INGUINAL LYMPH NODE', 'KIDNEY', 'LIVER', 'LUNG', 'LYMPH NODE', 'MEDIASTINAL LYMPH NODE', 'MESENTERIC LYMPH NODE', 'PANCREAS', 'PELVIS', 'PERITONEUM', 'PLEURA', 'PLEURAL EFFUSION', 'RETROPERITONEAL LYMPH NODE', 'SKIN', 'SPLEEN', 'STOMACH', 'SUBCUTANEOUS TISSUE'],
  },
  LAT: { id: 'LAT', name: 'Laterality', ncicode: 'C99073', extensible: true, terms: ['LEFT', 'RIGHT', 'BILATERAL'] },
  DIR: { id: 'DIR', name: 'Directionality', ncicode: 'C99074', extensible: true, terms: ['ANTERIOR', 'POSTERIOR', 'SUPERIOR', 'INFERIOR', 'MEDIAL', 'LATERAL', 'PROXIMAL', 'DISTAL', 'UPPER', 'LOWER'] },
  PORTOT: { id: 'PORTOT', name: 'Portion/Totality', ncicode: 'C99075', extensible: true, terms: ['ENTIRE', 'PARTIAL', 'SEGMENT', 'LOBE'] },
  NY: { id: 'NY', name: 'No Yes Response (Y subset)', ncicode: 'C66742', extensible: false, terms: ['Y', 'N'] },
  ND: { id: 'ND', name: 'Not Done', ncicode: 'C66789', extensible: false, terms: [NOT_DONE] },
  UNIT: { id: 'UNIT', name: 'Unit', ncicode: 'C71620', extensible: true, terms: ['mm', '%'] },
} as const satisfies Record<string, Codelist>;
export type CodelistId = keyof typeof CODELISTS;

export function isCodelistTerm(id: CodelistId, value: string): boolean {
  return (CODELISTS[id].terms as readonly string[]).includes(value);
}

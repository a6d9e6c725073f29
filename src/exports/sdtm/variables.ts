// Variable metadata of TU, TR and RS as data: SDTMIG 3.4 order, labels, types, core, roles, codelists, origins
// (primer section 2). The XPT writer, define.xml, CSV, workbook and conformance check all read this table.
import type { CodelistId } from './terminology.js';

export const DOMAINS = ['TU', 'TR', 'RS'] as const;
export type Domain = (typeof DOMAINS)[number];

export const DATASET_LABELS: Readonly<Record<Domain, string>> = {
  TU: 'Tumor/Lesion Identification',
  TR: 'Tumor/Lesion Results',
  RS: 'Disease Response and Clin Classification',
};
export const DATASET_CLASS: Readonly<Record<Domain, 'FINDINGS'>> = { TU: 'FINDINGS', TR: 'FINDINGS', RS: 'FINDINGS' };
export const DATASET_STRUCTURE: Readonly<Record<Domain, string>> = {
  TU: 'One record per identified tumor per assessor',
  TR: 'One record per tumor measurement/assessment per visit per subject per assessor',
  RS: 'One record per response assessment per visit per subject per assessor',
};

export type VariableType = 'Char' | 'Num';
export type Core = 'Req' | 'Exp' | 'Perm';
export type Role = 'Identifier' | 'Topic' | 'Grouping Qualifier' | 'Result Qualifier' | 'Synonym Qualifier' | 'Record Qualifier' | 'Variable Qualifier' | 'Timing';
export type Origin = 'Collected' | 'Derived' | 'Assigned' | 'Protocol';
/** `always`: in every export; `when-populated`: only when some row has a value (Perm "When" variables). */
export type Presence = 'always' | 'when-populated';
export const DERIVATION_METHODS = ['MT.SEQ', 'MT.DY', 'MT.SUMDIAM', 'MT.PCBSD', 'MT.PCNSD', 'MT.ACNSD', 'MT.RESPONSE', 'MT.STRES'] as const;
export type DerivationMethodId = (typeof DERIVATION_METHODS)[number];

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  readonly type: VariableType;
  readonly core: Core;
  readonly role: Role;
  readonly presence: Presence;
  /** Must be populated on every row (define.xml Mandatory="Yes"; conformance item 9). */
  readonly mandatory: boolean;
  readonly codelist?: CodelistId;
  readonly origin: Origin;
  readonly method?: DerivationMethodId;
  /** ISO 8601 date variable (define DataType `date`). */
  readonly isoDate?: boolean;
  /** Shared across TU/TR/RS: one study-wide length in all three files (primer 6.6). */
  readonly shared?: boolean;
}

const v = (
  name: string,
  label: string,
  type: VariableType,
  core: Core,
  role: Role,
  origin: Origin,
  extra: Partial<VariableSpec> = {},
): VariableSpec => ({ name, label, type, core, role, origin, presence: 'always', mandatory: core === 'Req', ...extra });

const identifiers = (d: Domain): VariableSpec[] => [
  v('STUDYID', 'Study Identifier', 'Char', 'Req', 'Identifier', 'Protocol', { shared: true }),
  v('DOMAIN', 'Domain Abbreviation', 'Char', 'Req', 'Identifier', 'Assigned'),
  v('USUBJID', 'Unique Subject Identifier', 'Char', 'Req', 'Identifier', 'Collected', { shared: true }),
  v(`${d}SEQ`, 'Sequence Number', 'Num', 'Req', 'Identifier', 'Derived', { method: 'MT.SEQ' }),
];
const visitTiming = (d: Domain, dtcLabel: string, dyLabel: string, visitMandatory: boolean): VariableSpec[] => [
  v('VISITNUM', 'Visit Number', 'Num', 'Exp', 'Timing', 'Protocol', { mandatory: visitMandatory }),
  v('VISIT', 'Visit Name', 'Char', 'Perm', 'Timing', 'Protocol', { shared: true, mandatory: visitMandatory }),
  v('EPOCH', 'Epoch', 'Char', 'Perm', 'Timing', 'Assigned', { presence: 'when-populated', codelist: 'EPOCH', shared: true }),
  v(`${d}DTC`, dtcLabel, 'Char', 'Exp', 'Timing', 'Collected', { isoDate: true }),
  v(`${d}DY`, dyLabel, 'Num', 'Perm', 'Timing', 'Derived', { presence: 'when-populated', method: 'MT.DY' }),
];
const evaluator = (d: Domain): VariableSpec[] => [
  v(`${d}EVAL`, 'Evaluator', 'Char', d === 'RS' ? 'Perm' : 'Exp', 'Record Qualifier', 'Assigned', { codelist: 'EVAL', mandatory: true }),
  v(`${d}EVALID`, 'Evaluator Identifier', 'Char', 'Perm', 'Variable Qualifier', 'Assigned', { codelist: 'MEDEVAL', mandatory: true }),
  v(`${d}ACPTFL`, 'Accepted Record Flag', 'Char', 'Perm', 'Record Qualifier', 'Assigned', { codelist: 'NY' }),
];

export const VARIABLES: Readonly<Record<Domain, readonly VariableSpec[]>> = {
  TU: [
    ...identifiers('TU'),
    v('TUREFID', 'Reference ID', 'Char', 'Perm', 'Identifier', 'Collected', { presence: 'when-populated' }),
    v('TULNKID', 'Link ID', 'Char', 'Exp', 'Identifier', 'Assigned', { mandatory: true }),
    v('TUTESTCD', 'Tumor/Lesion ID Short Name', 'Char', 'Req', 'Topic', 'Assigned', { codelist: 'TUTESTCD' }),
    v('TUTEST', 'Tumor/Lesion ID Test Name', 'Char', 'Req', 'Synonym Qualifier', 'Assigned', { codelist: 'TUTEST' }),
    v('TUORRES', 'Tumor/Lesion ID Result', 'Char', 'Exp', 'Result Qualifier', 'Collected', { mandatory: true }),
    v('TUSTRESC', 'Tumor/Lesion ID Result Std. Format', 'Char', 'Exp', 'Result Qualifier', 'Derived', { codelist: 'TUSTRESC', mandatory: true, method: 'MT.STRES' }),
    v('TUNAM', 'Laboratory/Vendor Name', 'Char', 'Perm', 'Record Qualifier', 'Assigned', { presence: 'when-populated' }),
    v('TULOC', 'Location of the Tumor/Lesion', 'Char', 'Exp', 'Record Qualifier', 'Collected', { codelist: 'LOC', mandatory: true }),
    v('TULAT', 'Laterality', 'Char', 'Perm', 'Variable Qualifier', 'Collected', { presence: 'when-populated', codelist: 'LAT' }),
    v('TUDIR', 'Directionality', 'Char', 'Perm', 'Variable Qualifier', 'Collected', { presence: 'when-populated', codelist: 'DIR' }),
    v('TUPORTOT', 'Portion or Totality', 'Char', 'Perm', 'Variable Qualifier', 'Collected', { presence: 'when-populated', codelist: 'PORTOT' }),
    v('TUMETHOD', 'Method of Identification', 'Char', 'Exp', 'Record Qualifier', 'Collected', { codelist: 'METHOD', mandatory: true }),
    ...evaluator('TU'),
    ...visitTiming('TU', 'Date/Time of Tumor/Lesion Identification', 'Study Day of Tumor/Lesion Identification', true),
  ],
  TR: [
    ...identifiers('TR'),
    v('TRGRPID', 'Group ID', 'Char', 'Perm', 'Identifier', 'Assigned', { mandatory: true }),
    v('TRREFID', 'Reference ID', 'Char', 'Perm', 'Identifier', 'Collected', { presence: 'when-populated' }),
    v('TRLNKID', 'Link ID', 'Char', 'Exp', 'Identifier', 'Assigned'),
    v('TRLNKGRP', 'Link Group ID', 'Char', 'Perm', 'Identifier', 'Assigned', { mandatory: true }),
    v('TRTESTCD', 'Tumor/Lesion Assessment Short Name', 'Char', 'Req', 'Topic', 'Assigned', { codelist: 'TRTESTCD' }),
    v('TRTEST', 'Tumor/Lesion Assessment Test Name', 'Char', 'Req', 'Synonym Qualifier', 'Assigned', { codelist: 'TRTEST' }),
    v('TRORRES', 'Result or Finding in Original Units', 'Char', 'Exp', 'Result Qualifier', 'Collected'),
    v('TRORRESU', 'Original Units', 'Char', 'Exp', 'Variable Qualifier', 'Collected', { codelist: 'UNIT' }),
    v('TRSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Exp', 'Result Qualifier', 'Derived', { method: 'MT.STRES' }),
    v('TRSTRESN', 'Numeric Result/Finding in Standard Units', 'Num', 'Exp', 'Result Qualifier', 'Derived', { method: 'MT.STRES' }),
    v('TRSTRESU', 'Standard Units', 'Char', 'Exp', 'Variable Qualifier', 'Derived', { codelist: 'UNIT', method: 'MT.STRES' }),
    v('TRSTAT', 'Completion Status', 'Char', 'Perm', 'Record Qualifier', 'Collected', { presence: 'when-populated', codelist: 'ND' }),
    v('TRREASND', 'Reason Not Done', 'Char', 'Perm', 'Record Qualifier', 'Collected', { presence: 'when-populated' }),
    v('TRNAM', 'Laboratory/Vendor Name', 'Char', 'Perm', 'Record Qualifier', 'Assigned', { presence: 'when-populated' }),
    v('TRMETHOD', 'Method Used to Identify the Tumor/Lesion', 'Char', 'Exp', 'Record Qualifier', 'Collected', { codelist: 'METHOD' }),
    ...evaluator('TR'),
    ...visitTiming('TR', 'Date/Time of Tumor/Lesion Measurement', 'Study Day of Tumor/Lesion Measurement', true),
  ],
  RS: [
    ...identifiers('RS'),
    v('RSLNKGRP', 'Link Group ID', 'Char', 'Perm', 'Identifier', 'Assigned'),
    v('RSTESTCD', 'Assessment Short Name', 'Char', 'Req', 'Topic', 'Assigned', { codelist: 'RSTESTCD' }),
    v('RSTEST', 'Assessment Name', 'Char', 'Req', 'Synonym Qualifier', 'Assigned', { codelist: 'RSTEST' }),
    v('RSCAT', 'Category for Assessment', 'Char', 'Exp', 'Grouping Qualifier', 'Assigned', { codelist: 'ONCRSCAT', mandatory: true }),
    v('RSORRES', 'Result or Finding in Original Units', 'Char', 'Exp', 'Result Qualifier', 'Collected'),
    // Null only on NOT DONE records (a category the subject does not have, primer 2.3 RSSTAT); item 17 checks that.
    v('RSSTRESC', 'Character Result/Finding in Std Format', 'Char', 'Exp', 'Result Qualifier', 'Derived', { method: 'MT.RESPONSE' }),
    v('RSSTAT', 'Completion Status', 'Char', 'Perm', 'Record Qualifier', 'Collected', { presence: 'when-populated', codelist: 'ND' }),
    v('RSREASND', 'Reason Not Done', 'Char', 'Perm', 'Record Qualifier', 'Collected', { presence: 'when-populated' }),
    v('RSNAM', 'Vendor Name', 'Char', 'Perm', 'Record Qualifier', 'Assigned', { presence: 'when-populated' }),
    ...evaluator('RS'),
    // VISITNUM/VISIT are null on BESTRESP (primer 2.3), so not mandatory in RS.
    ...visitTiming('RS', 'Date/Time of Assessment', 'Study Day of Assessment', false),
  ],
};

/** define.xml KeySequence variables (primer section 7), in key order. */
export const KEY_VARIABLES: Readonly<Record<Domain, readonly string[]>> = {
  TU: ['STUDYID', 'USUBJID', 'TUEVAL', 'TUEVALID', 'TULNKID', 'TUTESTCD'],
  TR: ['STUDYID', 'USUBJID', 'TREVAL', 'TREVALID', 'VISITNUM', 'TRTESTCD', 'TRLNKID', 'TRGRPID'],
  RS: ['STUDYID', 'USUBJID', 'RSEVAL', 'RSEVALID', 'RSCAT', 'VISITNUM', 'RSTESTCD'],
};

export const DERIVATIONS: Readonly<Record<DerivationMethodId, { name: string; type: 'Computation' | 'Imputation'; description: string }>> = {
  'MT.SEQ': { name: 'Sequence number', type: 'Computation', description: 'Consecutive integers from 1 within USUBJID, in record order (assessor, visit, lesion, test).' },
  'MT.DY': { name: 'Study day', type: 'Computation', description: '--DTC minus DM.RFSTDTC in days, plus 1 when --DTC is on or after RFSTDTC (no day 0).' },
  'MT.SUMDIAM': { name: 'Sum of diameters', type: 'Computation', description: 'Sum of the exported TRSTRESN of the target lesions of the assessor at the visit (LDIAM for non-nodal, LPERP short axis for nodal targets; split fragments summed; too small to measure counts 5 mm); written only when every target was evaluated.' },
  'MT.PCBSD': { name: 'Percent change from baseline sum', type: 'Computation', description: '(SUMDIAM - baseline SUMDIAM) / baseline SUMDIAM x 100, rounded to 1 decimal (half away from zero).' },
  'MT.PCNSD': { name: 'Percent change from nadir sum', type: 'Computation', description: '(SUMDIAM - nadir) / nadir x 100, rounded to 1 decimal; nadir = smallest SUMDIAM at earlier visits, baseline included; not written when the nadir is 0.' },
  'MT.ACNSD': { name: 'Absolute change from nadir sum', type: 'Computation', description: 'SUMDIAM - nadir in mm; nadir = smallest SUMDIAM at earlier visits, baseline included.' },
  'MT.STRES': { name: 'Standardised result', type: 'Computation', description: 'Copy of --ORRES in standard format; numeric results in mm or % as text without trailing zeros and in --STRESN; TOO SMALL TO MEASURE standardised to 5 mm (RECIST 1.1 default).' },
  'MT.RESPONSE': { name: 'Response assessment', type: 'Computation', description: 'Assessor response per RECIST 1.1 (Eisenhauer 2009) or iRECIST (Seymour 2017), computed by the platform response engine from the assessor\'s measurements and confirmed by the assessor\'s e-signature; the adjudicator\'s value is the selected reader\'s value.' },
};

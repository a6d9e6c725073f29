// Findings of the pre-release conformance check (primer section 9). Every finding names its primer item and,
// where one exists, the Pinnacle 21 rule. Any error blocks release; warnings are reported and do not.
import type { Domain } from '../sdtm/variables.js';

export const FINDING_SEVERITIES = ['error', 'warning'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const FINDING_CODES = [
  // XPT structure (items 1-7)
  'XPT_FILE_NAME', 'XPT_MEMBER_NAME', 'XPT_TOO_LARGE', 'XPT_STRUCTURE', 'XPT_UNREADABLE', 'XPT_SPECIAL_MISSING', 'XPT_CONTENT_MISMATCH', 'XPT_WRITE_FAILED',
  // SDTM metadata (items 8-10)
  'DATASET_LABEL', 'VARIABLE_NOT_IN_DOMAIN', 'VARIABLE_MISSING', 'REQUIRED_VALUE_NULL', 'VARIABLE_ORDER', 'VARIABLE_LABEL', 'VARIABLE_TYPE', 'VARIABLE_LENGTH',
  // record content (items 11-20)
  'DOMAIN_VALUE', 'SEQ_INVALID', 'SEQ_DUPLICATE', 'DUPLICATE_KEY', 'TESTCD_FORMAT', 'TEST_PAIR', 'DTC_INVALID', 'DY_INVALID', 'DY_INCONSISTENT',
  'VISIT_MISSING', 'VISIT_NOT_ONE_TO_ONE', 'STRESC_MISSING', 'STRESN_MISMATCH', 'UNIT_MISSING', 'UNIT_NOT_UNIQUE', 'STAT_INVALID', 'RESULT_WITH_NOT_DONE',
  'REASND_WITHOUT_STAT', 'RESULT_MISSING', 'EVAL_INVALID', 'ACPTFL_INVALID', 'ACPTFL_NOT_UNIQUE', 'CT_VALUE', 'CT_VALUE_EXTENDED',
  // cross-domain and links (items 21-24)
  'STUDYID_NOT_UNIQUE', 'USUBJID_NOT_IN_DM', 'TRLNKID_UNRESOLVED', 'TU_WITHOUT_TR', 'LESION_ROW_WITHOUT_LNKID', 'TU_VISIT_CLASS', 'TRGRPID_CLASS',
  'LNKGRP_MIXED', 'RSLNKGRP_UNRESOLVED',
  // RS consistent with TR (item 25)
  'SUMDIAM_MISMATCH', 'SUMMARY_ARITHMETIC', 'OVRLRESP_TABLE', 'ENGINE_MISMATCH', 'ENGINE_FAILED', 'RESPONSE_COVERAGE', 'BESTRESP_NOT_OBSERVED',
  'ADJUDICATOR_DISAGREES', 'ACCEPTED_MISMATCH',
  // define.xml (item 26)
  'DEFINE_MALFORMED', 'DEFINE_DATASET', 'DEFINE_VARIABLES', 'DEFINE_ATTRIBUTE', 'DEFINE_MANDATORY', 'DEFINE_KEYS', 'DEFINE_CODELIST',
  // building the data cut itself
  'BUILD_FAILED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  /** Item of primer section 9 (0 for building the cut). */
  readonly item: number;
  readonly p21?: string;
  readonly domain?: Domain | 'define';
  readonly usubjid?: string;
  /** 1-based row in the dataset. */
  readonly row?: number;
  readonly variable?: string;
  readonly message: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Collects findings, capping repeats of one code per domain so a systematic fault does not flood the report. */
export class FindingSink {
  readonly findings: Finding[] = [];
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxPerCode = 50) {}

  add(f: Finding): void {
    const key = `${f.code}|${f.domain ?? ''}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= this.maxPerCode) this.findings.push(f);
    else if (n === this.maxPerCode + 1) {
      this.findings.push({ ...f, row: undefined, usubjid: undefined, variable: undefined, message: `further ${f.code} findings in ${f.domain ?? 'the export'} omitted` });
    }
  }
  error(f: Omit<Finding, 'severity'>): void {
    this.add({ ...f, severity: 'error' });
  }
  warning(f: Omit<Finding, 'severity'>): void {
    this.add({ ...f, severity: 'warning' });
  }
}

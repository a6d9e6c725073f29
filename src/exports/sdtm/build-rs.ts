// RS: the assessors' responses per visit and their best overall response, per criterion (primer 2.3, 3.2, 3.7),
// as the response engine gave them (SubjectAssessment.evaluation). Readers (and a re-reading adjudicator):
// TRGRESP, NTRGRESP, NEWLPROG and OVRLRESP per visit for RECIST 1.1 up to its first PD and for iRECIST (i-prefixed)
// up to its first iCPD, BESTRESP per criterion. Adjudication by selection: OVRLRESP and BESTRESP only. A category
// the subject does not have (engine 'NA') is a NOT DONE record with its reason (primer 2.3 RSSTAT/RSREASND).
import type { SubjectEvaluation } from '../../domain/response/index.js';
import type { ExportStudy, SubjectVisit } from './assessment.js';
import type { SdtmRow } from './dataset.js';
import { studyDay } from './iso-date.js';
import type { AssessorPlan, SubjectPlan } from './subject-plan.js';
import {
  NOT_DONE,
  type RsCategory,
  type RsOutcome,
  type RsTestCode,
  RS_TESTS,
  irecistCategoryOutcome,
  irecistOverallResult,
  nonTargetResponseOutcome,
  recistOverallResult,
  rsResult,
  targetResponseOutcome,
} from './terminology.js';

export function buildRsRows(study: ExportStudy, plan: SubjectPlan): SdtmRow[] {
  const rows: SdtmRow[] = [];
  for (const a of plan.assessors) rows.push(...assessorRsRows(study, plan, a));
  return rows;
}

function assessorRsRows(study: ExportStudy, plan: SubjectPlan, a: AssessorPlan): SdtmRow[] {
  const { assessor, evaluation } = a.assessment;
  const followupByLabel = new Map(a.read.followups.map((f) => [f.label, f] as const));
  const rows: SdtmRow[] = [];
  const row = (category: RsCategory, testcd: RsTestCode, o: RsOutcome, visit: SubjectVisit | null, dtc: string | null, linkGroup: string | null): SdtmRow => {
    const overall = testcd === 'OVRLRESP' || testcd === 'BESTRESP';
    const result = o.kind === 'result' ? o.value : null;
    return {
      STUDYID: study.studyId,
      DOMAIN: 'RS',
      USUBJID: plan.subject.usubjid,
      RSSEQ: null,
      RSLNKGRP: linkGroup,
      RSTESTCD: testcd,
      RSTEST: RS_TESTS[testcd],
      RSCAT: category,
      RSORRES: result,
      RSSTRESC: result,
      RSSTAT: o.kind === 'not-done' ? NOT_DONE : null,
      RSREASND: o.kind === 'not-done' ? o.reason : null,
      RSNAM: study.readingCentre ?? null,
      RSEVAL: assessor.eval,
      RSEVALID: assessor.evalId,
      RSACPTFL: overall ? plan.responseFlag(assessor.evalId, category, visit?.visitNum ?? null) : a.acceptedRecords,
      VISITNUM: visit?.visitNum ?? null,
      VISIT: visit?.visit ?? null,
      EPOCH: visit?.epoch ?? null,
      RSDTC: dtc,
      RSDY: dtc !== null && plan.subject.rfstdtc ? studyDay(dtc, plan.subject.rfstdtc) : null,
    };
  };
  for (const r of rsResponses(evaluation, a.fullRecords)) {
    if (r.label === null) {
      rows.push(row(r.category, r.testcd, r.outcome, null, null, null));
      continue;
    }
    const visit = plan.visitOfTimepoint(r.label);
    // RSDTC: our convention is the date of the latest scan of that assessment (primer 2.3).
    const dtc = followupByLabel.get(r.label)?.date ?? null;
    // RSLNKGRP points at the reader's TR group of that visit (primer 1; SD1338); the worked example sets it on
    // OVRLRESP only. Adjudications by selection have no TR of their own, so no link group.
    const group = a.fullRecords && r.testcd === 'OVRLRESP' ? plan.linkGroup(a.prefix, visit) : null;
    rows.push(row(r.category, r.testcd, r.outcome, visit, dtc, group));
  }
  return rows;
}

/** One RS response implied by an engine evaluation; label null = BESTRESP. */
export interface RsResponse {
  readonly category: RsCategory;
  readonly testcd: RsTestCode;
  /** The engine timepoint label (a visit), or null for the best overall response. */
  readonly label: string | null;
  readonly outcome: RsOutcome;
}

/**
 * The RS responses of one assessor, in RS order, from the engine's evaluation. `fullRecords` false (adjudication
 * by selection): OVRLRESP and BESTRESP only. Shared with the conformance check, which compares RS with the
 * responses the engine gives on TR.
 */
export function rsResponses(evaluation: SubjectEvaluation, fullRecords: boolean): RsResponse[] {
  const out: RsResponse[] = [];
  const push = (category: RsCategory, testcd: RsTestCode, label: string | null, outcome: RsOutcome) => out.push({ category, testcd, label, outcome });
  for (const t of evaluation.timepoints) {
    const r = t.recist11;
    if (r === null) continue; // after the first RECIST 1.1 PD the engine gives no RECIST 1.1 response (primer 7.3)
    if (fullRecords) {
      push('RECIST 1.1', 'TRGRESP', t.label, targetResponseOutcome(r.target));
      push('RECIST 1.1', 'NTRGRESP', t.label, nonTargetResponseOutcome(r.nonTarget));
      if (r.newLesions) push('RECIST 1.1', 'NEWLPROG', t.label, rsResult('UNEQUIVOCAL'));
    }
    push('RECIST 1.1', 'OVRLRESP', t.label, rsResult(recistOverallResult(r.overall)));
  }
  const best = evaluation.bestOverallResponse;
  push('RECIST 1.1', 'BESTRESP', null, rsResult(recistOverallResult(best.recist11)));
  for (const t of evaluation.timepoints) {
    // undefined: iRECIST not assessed; null: after the first iCPD (the engine stops there, primer 9.8).
    const ir = t.irecist;
    if (ir == null) continue;
    if (fullRecords) {
      push('iRECIST', 'TRGRESP', t.label, irecistCategoryOutcome(ir.target, ir.overall, 'target'));
      push('iRECIST', 'NTRGRESP', t.label, irecistCategoryOutcome(ir.nonTarget, ir.overall, 'non-target'));
      if (ir.newLesions) push('iRECIST', 'NEWLPROG', t.label, rsResult('UNEQUIVOCAL'));
    }
    push('iRECIST', 'OVRLRESP', t.label, rsResult(irecistOverallResult(ir.overall)));
  }
  if (best.irecist !== undefined) push('iRECIST', 'BESTRESP', null, rsResult(irecistOverallResult(best.irecist)));
  return out;
}

// TR: measurements and states per lesion per visit per assessor, and the target-sum rows (primer 2.2, 3.5, 3.6).
// Lesion values are rounded to 0.1 mm; SUMDIAM adds the exported values in tenths; PCBSD/PCNSD/ACNSD follow
// primer section 5 (nadir = smallest earlier sum, baseline included).
import type { ValidatedFollowup, ValidatedNewLesionReading } from '../../domain/response/index.js';
import type { ExportStudy, SubjectVisit } from './assessment.js';
import type { SdtmRow, SdtmValue } from './dataset.js';
import { studyDay } from './iso-date.js';
import { formatNumber, fromTenths, percentChangeTenths, toTenths } from './result-format.js';
import { type AssessorPlan, type SubjectPlan, fragmentLink } from './subject-plan.js';
import {
  DEFAULT_MODALITY,
  NOT_DONE,
  REASONS_NOT_DONE,
  TOO_SMALL_DEFAULT_MM,
  TOO_SMALL_TO_MEASURE,
  TR_TESTS,
  TR_TEST_UNITS,
  type TrGroup,
  type TrTestCode,
  type TumorState,
  methodOfModality,
} from './terminology.js';

/** One TR result: a number (mm or %), a qualitative state, too-small, or not done with a reason. */
export type TrResult =
  | { readonly kind: 'number'; readonly tenths: number }
  | { readonly kind: 'state'; readonly state: TumorState }
  | { readonly kind: 'too-small' }
  | { readonly kind: 'not-done'; readonly reason: string };

interface Visit {
  readonly visit: SubjectVisit;
  readonly dtc: string;
  readonly group: string;
}

export function buildTrRows(study: ExportStudy, plan: SubjectPlan): SdtmRow[] {
  const rows: SdtmRow[] = [];
  for (const a of plan.assessors) if (a.fullRecords) rows.push(...assessorTrRows(study, plan, a));
  return rows;
}

function resultColumns(testcd: TrTestCode, r: TrResult): Record<string, SdtmValue> {
  const unit = TR_TEST_UNITS[testcd];
  switch (r.kind) {
    case 'number': {
      const text = formatNumber(fromTenths(r.tenths));
      return { TRORRES: text, TRORRESU: unit, TRSTRESC: text, TRSTRESN: fromTenths(r.tenths), TRSTRESU: unit, TRSTAT: null, TRREASND: null };
    }
    case 'state':
      return { TRORRES: r.state, TRORRESU: null, TRSTRESC: r.state, TRSTRESN: null, TRSTRESU: null, TRSTAT: null, TRREASND: null };
    case 'too-small':
      // Primer 3.6: TOO SMALL TO MEASURE standardises to 5 mm.
      return { TRORRES: TOO_SMALL_TO_MEASURE, TRORRESU: null, TRSTRESC: String(TOO_SMALL_DEFAULT_MM), TRSTRESN: TOO_SMALL_DEFAULT_MM, TRSTRESU: 'mm', TRSTAT: null, TRREASND: null };
    case 'not-done':
      return { TRORRES: null, TRORRESU: null, TRSTRESC: null, TRSTRESN: null, TRSTRESU: null, TRSTAT: NOT_DONE, TRREASND: r.reason };
  }
}

/** Tenths of mm that a target result adds to the sum, or undefined when it cannot be summed. */
export function summableTenths(r: TrResult): number | undefined {
  switch (r.kind) {
    case 'number':
      return r.tenths;
    case 'too-small':
      return TOO_SMALL_DEFAULT_MM * 10;
    case 'state':
    case 'not-done':
      return undefined;
  }
}

function assessorTrRows(study: ExportStudy, plan: SubjectPlan, a: AssessorPlan): SdtmRow[] {
  const { assessor, locations } = a.assessment;
  const read = a.read;
  const rows: SdtmRow[] = [];
  const lesionOfLink = new Map<string, string>();
  for (const links of [a.links.targets, a.links.nonTargets, a.links.newLesions]) for (const [id, link] of links) lesionOfLink.set(link, id);
  // Fragments `R1-T02.1` share the reference of their target `R1-T02`.
  const refIdOf = (linkId: string) => locations[lesionOfLink.get(linkId.replace(/\.\d+$/, '')) ?? '']?.refId;
  const row = (v: Visit, group: TrGroup, linkId: string | null, testcd: TrTestCode, result: TrResult, method: string | null): SdtmRow => {
    const lesionRow = linkId !== null;
    // Our convention (primer 2.2): summary rows carry no TRDTC/TRDY and no method.
    const dtc = lesionRow ? v.dtc : null;
    return {
      STUDYID: study.studyId,
      DOMAIN: 'TR',
      USUBJID: plan.subject.usubjid,
      TRSEQ: null,
      TRGRPID: group,
      TRREFID: linkId !== null ? (refIdOf(linkId) ?? null) : null,
      TRLNKID: linkId,
      TRLNKGRP: v.group,
      TRTESTCD: testcd,
      TRTEST: TR_TESTS[testcd],
      ...resultColumns(testcd, result),
      TRNAM: study.readingCentre ?? null,
      TRMETHOD: lesionRow ? method : null,
      TREVAL: assessor.eval,
      TREVALID: assessor.evalId,
      TRACPTFL: a.acceptedRecords,
      VISITNUM: v.visit.visitNum,
      VISIT: v.visit.visit,
      EPOCH: v.visit.epoch ?? null,
      TRDTC: dtc,
      TRDY: dtc !== null && plan.subject.rfstdtc ? studyDay(dtc, plan.subject.rfstdtc) : null,
    };
  };

  const b = read.baseline;
  const baselineMethod = methodOfModality(b.modality ?? DEFAULT_MODALITY);
  const targets = b.targets.map((t) => ({
    ...t,
    link: a.links.targets.get(t.id)!,
    testcd: (t.nodal ? 'LPERP' : 'LDIAM') as TrTestCode,
    method: t.method ? methodOfModality(t.method) : baselineMethod,
  }));
  const base: Visit = { visit: plan.baselineVisit, dtc: b.date, group: plan.linkGroup(a.prefix, plan.baselineVisit) };
  for (const t of targets) rows.push(row(base, 'TARGET', t.link, t.testcd, { kind: 'number', tenths: toTenths(t.diameterMm) }, t.method));
  for (const n of b.nonTargets) rows.push(row(base, 'NON-TARGET', a.links.nonTargets.get(n.id)!, 'TUMSTATE', { kind: 'state', state: 'PRESENT' }, baselineMethod));
  const sums: number[] = [];
  if (targets.length > 0) {
    const baselineSum = targets.reduce((s, t) => s + toTenths(t.diameterMm), 0);
    rows.push(row(base, 'TARGET', null, 'SUMDIAM', { kind: 'number', tenths: baselineSum }, null));
    sums.push(baselineSum);
  }

  for (const f of read.followups) {
    const visit = plan.visitOfTimepoint(f.label);
    const v: Visit = { visit, dtc: f.date, group: plan.linkGroup(a.prefix, visit) };
    let sum = 0;
    let summable = targets.length > 0;
    for (const t of targets) {
      for (const [link, result] of targetResults(f, t.id, t.link)) {
        rows.push(row(v, 'TARGET', link, t.testcd, result, t.method));
        const add = summableTenths(result);
        if (add === undefined) summable = false;
        else sum += add;
      }
    }
    for (const n of b.nonTargets) {
      rows.push(row(v, 'NON-TARGET', a.links.nonTargets.get(n.id)!, 'TUMSTATE', nonTargetResult(f, n.id), baselineMethod));
    }
    if (f.assessed) {
      for (const n of f.newLesions) {
        const link = a.links.newLesions.get(n.id)!;
        rows.push(row(v, 'NEW', link, 'TUMSTATE', newLesionState(n), baselineMethod));
        if (n.irecistType === 'NLT' && n.status === 'present' && n.diameterMm !== undefined) {
          rows.push(row(v, 'NEW', link, n.nodal ? 'LPERP' : 'LDIAM', { kind: 'number', tenths: toTenths(n.diameterMm) }, baselineMethod));
        }
      }
    }
    if (summable) {
      const baselineSum = sums[0];
      const nadir = Math.min(...sums);
      rows.push(row(v, 'TARGET', null, 'SUMDIAM', { kind: 'number', tenths: sum }, null));
      if (baselineSum > 0) rows.push(row(v, 'TARGET', null, 'PCBSD', { kind: 'number', tenths: percentChangeTenths(sum, baselineSum) }, null));
      if (nadir > 0) rows.push(row(v, 'TARGET', null, 'PCNSD', { kind: 'number', tenths: percentChangeTenths(sum, nadir) }, null));
      rows.push(row(v, 'TARGET', null, 'ACNSD', { kind: 'number', tenths: sum - nadir }, null));
      sums.push(sum);
    }
  }
  return rows;
}

/** TR rows of one target at one follow-up: [TRLNKID, result]; a split target gives one row per fragment. */
export function targetResults(f: ValidatedFollowup, targetId: string, link: string): [string, TrResult][] {
  if (!f.assessed) return [[link, { kind: 'not-done', reason: REASONS_NOT_DONE.scanNotPerformed }]];
  const t = f.targets.find((x) => x.id === targetId);
  if (!t) return [[link, { kind: 'not-done', reason: REASONS_NOT_DONE.notEvaluable }]];
  switch (t.status) {
    case 'measured':
      return [[link, { kind: 'number', tenths: toTenths(t.diameterMm) }]];
    case 'too_small':
      return [[link, { kind: 'too-small' }]];
    case 'disappeared':
    case 'coalesced':
      // RECIST 1.1: a disappeared lesion is 0 mm (not missing); an absorbed, coalesced lesion is recorded as 0.
      return [[link, { kind: 'number', tenths: 0 }]];
    case 'not_evaluated':
      return [[link, { kind: 'not-done', reason: REASONS_NOT_DONE.notEvaluable }]];
    case 'split':
      return t.fragmentsMm.map((mm, i) => [fragmentLink(link, i + 1), { kind: 'number', tenths: toTenths(mm) }]);
  }
}

export function nonTargetResult(f: ValidatedFollowup, nonTargetId: string): TrResult {
  if (!f.assessed) return { kind: 'not-done', reason: REASONS_NOT_DONE.scanNotPerformed };
  const n = f.nonTargets.find((x) => x.id === nonTargetId);
  if (!n) return { kind: 'not-done', reason: REASONS_NOT_DONE.notEvaluable };
  switch (n.status) {
    case 'present':
      return { kind: 'state', state: n.increasedSincePrevious ? 'INCREASED' : 'PRESENT' };
    case 'absent':
      return { kind: 'state', state: 'ABSENT' };
    case 'unequivocal_progression':
      // An increase on top of unequivocal progression has no TUMSTATE term of its own (see newLesionState).
      return { kind: 'state', state: 'UNEQUIVOCAL' };
    case 'not_evaluated':
      return { kind: 'not-done', reason: REASONS_NOT_DONE.notEvaluable };
  }
}

export function newLesionState(n: ValidatedNewLesionReading): TrResult {
  switch (n.status) {
    case 'present':
      // iRECIST NLNT (primer 9.3, 9.4): unequivocal progression, else any increase since the previous assessment.
      // TUMSTATE holds one state: with both flags, UNEQUIVOCAL is written and the conformance check takes the
      // increase from the source read (engine-input-from-tr.ts).
      return { kind: 'state', state: n.unequivocalProgression ? 'UNEQUIVOCAL' : n.increasedSincePrevious ? 'INCREASED' : 'PRESENT' };
    case 'absent':
      return { kind: 'state', state: 'ABSENT' };
    case 'not_evaluated':
      return { kind: 'not-done', reason: REASONS_NOT_DONE.notEvaluable };
  }
}

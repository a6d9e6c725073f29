// TU: one record per identified lesion per assessor (primer 2.1, 3.4): targets and non-targets at baseline,
// fragments of split targets (TUSPLIT) and NEW lesions at the visit they first appear.
import type { SubjectVisit } from './assessment.js';
import type { SdtmRow } from './dataset.js';
import { type AssessorPlan, type SubjectPlan, fragmentLink } from './subject-plan.js';
import { DEFAULT_MODALITY, type TuResult, type TuTestCode, TU_TESTS, methodOfModality } from './terminology.js';
import type { ExportStudy } from './assessment.js';
import { studyDay } from './iso-date.js';

export function buildTuRows(study: ExportStudy, plan: SubjectPlan): SdtmRow[] {
  const rows: SdtmRow[] = [];
  for (const a of plan.assessors) if (a.fullRecords) rows.push(...assessorTuRows(study, plan, a));
  return rows;
}

function assessorTuRows(study: ExportStudy, plan: SubjectPlan, a: AssessorPlan): SdtmRow[] {
  const { locations, assessor } = a.assessment;
  const read = a.read;
  const irecist = read.criteria.includes('iRECIST');
  const rows: SdtmRow[] = [];
  const row = (linkId: string, testcd: TuTestCode, result: TuResult, lesionId: string, method: string | null, visit: SubjectVisit, dtc: string): SdtmRow => {
    const loc = locations[lesionId];
    return {
      STUDYID: study.studyId,
      DOMAIN: 'TU',
      USUBJID: plan.subject.usubjid,
      TUSEQ: null,
      TUREFID: loc?.refId ?? null,
      TULNKID: linkId,
      TUTESTCD: testcd,
      TUTEST: TU_TESTS[testcd],
      TUORRES: result,
      TUSTRESC: result,
      TUNAM: study.readingCentre ?? null,
      TULOC: loc?.loc ?? null,
      TULAT: loc?.lat ?? null,
      TUDIR: loc?.dir ?? null,
      TUPORTOT: loc?.portot ?? null,
      TUMETHOD: method,
      TUEVAL: assessor.eval,
      TUEVALID: assessor.evalId,
      TUACPTFL: a.acceptedRecords,
      VISITNUM: visit.visitNum,
      VISIT: visit.visit,
      EPOCH: visit.epoch ?? null,
      TUDTC: dtc,
      TUDY: plan.subject.rfstdtc ? studyDay(dtc, plan.subject.rfstdtc) : null,
    };
  };
  const b = read.baseline;
  const baselineMethod = methodOfModality(b.modality ?? DEFAULT_MODALITY);
  const targetMethod = new Map(b.targets.map((t) => [t.id, t.method ? methodOfModality(t.method) : baselineMethod] as const));
  for (const t of b.targets) rows.push(row(a.links.targets.get(t.id)!, 'TUMIDENT', 'TARGET', t.id, targetMethod.get(t.id)!, plan.baselineVisit, b.date));
  for (const n of b.nonTargets) rows.push(row(a.links.nonTargets.get(n.id)!, 'TUMIDENT', 'NON-TARGET', n.id, baselineMethod, plan.baselineVisit, b.date));

  const fragmentsIdentified = new Map<string, number>();
  const newIdentified = new Set<string>();
  for (const f of read.followups) {
    const visit = plan.visitOfTimepoint(f.label);
    if (!f.assessed) continue;
    for (const t of f.targets) {
      if (t.status !== 'split') continue;
      const link = a.links.targets.get(t.id);
      if (!link) continue;
      const known = fragmentsIdentified.get(t.id) ?? 0;
      const count = t.fragmentsMm.length;
      for (let k = known + 1; k <= count; k++) {
        rows.push(row(fragmentLink(link, k), 'TUSPLIT', 'TARGET', t.id, targetMethod.get(t.id) ?? baselineMethod, visit, f.date));
      }
      fragmentsIdentified.set(t.id, Math.max(known, count));
    }
    for (const n of f.newLesions) {
      if (newIdentified.has(n.id)) continue;
      newIdentified.add(n.id);
      const result: TuResult = irecist ? (n.irecistType === 'NLT' ? 'NEW TARGET' : 'NEW NON-TARGET') : 'NEW';
      rows.push(row(a.links.newLesions.get(n.id)!, 'TUMIDENT', result, n.id, baselineMethod, visit, f.date));
    }
  }
  return rows;
}

// iRECIST new-lesion designations (primer 9.2): an NLT must be measurable (longest diameter >= 10 mm, node short
// axis >= 15 mm), and at most 5 NLT in total and 2 per organ (all nodes one organ). Reported, never thrown: the
// engine follows the reader's designation and flags it for review.
import { MAX_TARGETS_PER_ORGAN, MAX_TARGETS_TOTAL, organKey } from './baseline-check.js';
import type { ValidatedSubject } from './response-input.js';
import type { NewLesionViolation } from './response-output.js';
import { formatMm, NODAL_TARGET_MIN_TENTHS, toTenths } from './tenths-of-millimetre.js';

const NON_NODAL_MIN_TENTHS = 100;

export function checkNewLesionDesignations(subject: ValidatedSubject): NewLesionViolation[] {
  const violations: NewLesionViolation[] = [];
  const nlt: { id: string; organ: string }[] = [];
  let totalReported = false;
  const organsReported = new Set<string>();
  for (const f of subject.followups) {
    for (const n of f.newLesions) {
      if (!n.firstAppearance || n.irecistType !== 'NLT') continue;
      const size = toTenths(n.diameterMm ?? 0);
      if (n.nodal && size < NODAL_TARGET_MIN_TENTHS) {
        violations.push({ code: 'NEW_NODAL_TARGET_SHORT_AXIS_BELOW_15', lesionId: n.id, timepoint: f.label, detail: `${n.id}: NLT node short axis ${formatMm(size)} < 15 mm` });
      } else if (!n.nodal && size < NON_NODAL_MIN_TENTHS) {
        violations.push({ code: 'NEW_TARGET_BELOW_MIN_SIZE', lesionId: n.id, timepoint: f.label, detail: `${n.id}: NLT longest diameter ${formatMm(size)} < 10 mm` });
      }
      const organ = organKey(n.organ, n.nodal);
      nlt.push({ id: n.id, organ });
      if (nlt.length > MAX_TARGETS_TOTAL && !totalReported) {
        totalReported = true;
        violations.push({ code: 'TOO_MANY_NEW_TARGETS_TOTAL', timepoint: f.label, detail: `${nlt.length} NLT > ${MAX_TARGETS_TOTAL} (extra ones are NLNT)` });
      }
      const inOrgan = nlt.filter((x) => x.organ === organ);
      if (inOrgan.length > MAX_TARGETS_PER_ORGAN && !organsReported.has(organ)) {
        organsReported.add(organ);
        violations.push({ code: 'TOO_MANY_NEW_TARGETS_PER_ORGAN', organ, timepoint: f.label, detail: `${inOrgan.length} NLT in ${organ} (${inOrgan.map((x) => x.id).join(', ')}) > ${MAX_TARGETS_PER_ORGAN}` });
      }
    }
  }
  return violations;
}

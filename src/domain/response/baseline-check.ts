// Baseline validation (primer 2): measurability of each target, the 5 total / 2 per organ limits with all lymph
// nodes as one organ, and the protocol's baseline rules. Violations are reported, never thrown: a reader must see
// them, and the timepoints are still evaluated on the selection as made.
import { assertNever } from './assert-never.js';
import { daysBetween } from './calendar-date.js';
import type { BaselineInput, BaselineTargetInput } from './response-input.js';
import type { BaselineCheck, BaselineViolation } from './response-output.js';
import type { ResponseOptions } from './response-options.js';
import { formatMm, NODAL_TARGET_MIN_TENTHS, tenthsToMm, toTenths, type Tenths } from './tenths-of-millimetre.js';

export const MAX_TARGETS_TOTAL = 5; // RECIST 1.1 section 3.3 (primer 2.2)
export const MAX_TARGETS_PER_ORGAN = 2;
export const NODAL_ORGAN = 'lymph_node';

/** Primer 2.2 (FAQ "Paired organs"): every node counts toward one organ, whatever its station. */
export function organKey(organ: string, nodal: boolean): string {
  return nodal ? NODAL_ORGAN : organ.trim().toLowerCase();
}

/** Primer 2.1: the smallest measurable longest diameter of a non-nodal lesion for its method. */
export function minimumNonNodalTenths(target: BaselineTargetInput, baseline: BaselineInput): { tenths: Tenths; rule: string } {
  const method = target.method ?? baseline.modality ?? 'CT';
  switch (method) {
    case 'CT':
    case 'MRI': {
      const slice = target.sliceThicknessMm ?? baseline.sliceThicknessMm;
      // <= 5 mm slices: 10 mm; thicker: twice the slice thickness.
      const twice = slice === undefined ? 0 : toTenths(2 * slice);
      return twice > 100
        ? { tenths: twice, rule: `2 x ${slice} mm slice thickness on ${method}` }
        : { tenths: 100, rule: `10 mm on ${method}` };
    }
    case 'CXR':
      return { tenths: 200, rule: '20 mm on chest X-ray' };
    case 'CALIPER':
      return { tenths: 100, rule: '10 mm by calipers' };
    default:
      return assertNever(method);
  }
}

export function baselineSumTenths(baseline: BaselineInput): Tenths {
  return baseline.targets.reduce((s, t) => s + toTenths(t.diameterMm), 0);
}

export function checkBaseline(
  baseline: BaselineInput,
  options: ResponseOptions,
  treatmentStartDate: string | null,
): BaselineCheck {
  const violations: BaselineViolation[] = [];

  for (const t of baseline.targets) {
    const size = toTenths(t.diameterMm);
    if (t.nodal) {
      // Primer 2.1: a node is a target only with short axis >= 15 mm; 10 to < 15 mm is non-target only.
      if (size < NODAL_TARGET_MIN_TENTHS) {
        violations.push({
          code: 'NODAL_TARGET_SHORT_AXIS_BELOW_15',
          lesionId: t.id,
          detail: `${t.id}: nodal target short axis ${formatMm(size)} < 15 mm`,
        });
      }
    } else {
      const min = minimumNonNodalTenths(t, baseline);
      if (size < min.tenths) {
        violations.push({
          code: 'TARGET_BELOW_MIN_SIZE',
          lesionId: t.id,
          detail: `${t.id}: longest diameter ${formatMm(size)} < ${formatMm(min.tenths)} (${min.rule})`,
        });
      }
    }
    // Primer 2.1: previously irradiated lesions are measurable only as the protocol says.
    if (t.previouslyIrradiated === true) {
      const policy = options.irradiatedLesionsMeasurable;
      const measurable =
        policy === 'always' || (policy === 'after_documented_progression' && t.progressedSinceIrradiation === true);
      if (!measurable) {
        violations.push({
          code: 'IRRADIATED_TARGET_NOT_MEASURABLE',
          lesionId: t.id,
          detail:
            policy === 'never'
              ? `${t.id}: previously irradiated lesions are not measurable under this protocol`
              : `${t.id}: previously irradiated lesion without documented progression since irradiation`,
        });
      }
    }
  }

  // Primer 2.2: at most 5 targets, at most 2 per organ, all nodes one organ.
  if (baseline.targets.length > MAX_TARGETS_TOTAL) {
    violations.push({
      code: 'TOO_MANY_TARGETS_TOTAL',
      detail: `${baseline.targets.length} target lesions > ${MAX_TARGETS_TOTAL}`,
    });
  }
  const perOrgan = new Map<string, string[]>();
  for (const t of baseline.targets) {
    const key = organKey(t.organ, t.nodal);
    perOrgan.set(key, [...(perOrgan.get(key) ?? []), t.id]);
  }
  for (const [organ, ids] of perOrgan) {
    if (ids.length > MAX_TARGETS_PER_ORGAN) {
      violations.push({
        code: 'TOO_MANY_TARGETS_PER_ORGAN',
        organ,
        detail: `${ids.length} targets in ${organ} (${ids.join(', ')}) > ${MAX_TARGETS_PER_ORGAN} per organ`,
      });
    }
  }

  if (baseline.targets.length === 0 && baseline.nonTargets.length === 0) {
    violations.push({ code: 'NO_BASELINE_DISEASE', detail: 'no target and no non-target lesion at baseline' });
  } else if (baseline.targets.length === 0 && !options.nonMeasurableOnlyEligible) {
    violations.push({
      code: 'NO_MEASURABLE_DISEASE',
      detail: 'no target lesion, and the protocol does not admit non-measurable disease only',
    });
  }

  // Primer 2.4: baseline imaging no more than baselineWindowDays before treatment start (and not after it).
  if (treatmentStartDate !== null) {
    const days = daysBetween(baseline.date, treatmentStartDate);
    if (days < 0 || days > options.baselineWindowDays) {
      violations.push({
        code: 'BASELINE_OUTSIDE_WINDOW',
        detail:
          days < 0
            ? `baseline ${baseline.date} is ${-days} days after treatment start ${treatmentStartDate}`
            : `baseline ${baseline.date} is ${days} days before treatment start ${treatmentStartDate} (> ${options.baselineWindowDays})`,
      });
    }
  }

  const sum = baselineSumTenths(baseline);
  const nodes = baseline.targets.filter((t) => t.nodal).length;
  const explanation =
    (baseline.targets.length > 0
      ? `Baseline sum ${formatMm(sum)} over ${baseline.targets.length} target(s)` +
        (nodes > 0 ? ` (${nodes} node(s) by short axis)` : '')
      : 'No target lesions: non-target disease only (Table 2)') +
    `, ${baseline.nonTargets.length} non-target(s); ` +
    (violations.length === 0 ? 'no violations.' : `violations: ${violations.map((v) => v.code).join(', ')}.`);

  return {
    valid: violations.length === 0,
    violations,
    sumMm: tenthsToMm(sum),
    targetCount: baseline.targets.length,
    nonTargetCount: baseline.nonTargets.length,
    measurableDisease: baseline.targets.length > 0,
    explanation,
  };
}


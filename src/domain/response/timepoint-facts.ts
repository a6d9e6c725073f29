// Per-timepoint measurement facts stored beside every response (primer section 10): the complete or partial sum,
// the nadir it was compared with, and the percent changes (display values; the rules use exact arithmetic).
import type { TargetSumFacts } from './response-output.js';
import type { Nadir, TargetMeasurement } from './target-lesions.js';
import { percentChange, tenthsToMm, type Tenths } from './tenths-of-millimetre.js';

export function targetSumFacts(
  measurement: TargetMeasurement | null,
  baselineTenths: Tenths | null,
  nadir: Nadir | null,
  allTargetIds: readonly string[],
): TargetSumFacts {
  if (measurement === null || baselineTenths === null || nadir === null) {
    return {
      targetSumMm: null,
      targetSumComplete: false,
      notEvaluatedTargets: baselineTenths === null ? [] : [...allTargetIds],
      baselineSumMm: baselineTenths === null ? null : tenthsToMm(baselineTenths),
      nadirMm: nadir === null ? null : tenthsToMm(nadir.tenths),
      nadirAt: nadir?.at ?? null,
      percentChangeFromBaseline: null,
      percentChangeFromNadir: null,
      changeFromNadirMm: null,
    };
  }
  const S = measurement.sumTenths;
  const complete = measurement.complete;
  const noneEvaluated = measurement.notEvaluated.length === measurement.values.length;
  return {
    targetSumMm: noneEvaluated ? null : tenthsToMm(S),
    targetSumComplete: complete,
    notEvaluatedTargets: measurement.notEvaluated,
    baselineSumMm: tenthsToMm(baselineTenths),
    nadirMm: tenthsToMm(nadir.tenths),
    nadirAt: nadir.at,
    percentChangeFromBaseline: complete ? percentChange(baselineTenths, S) : null,
    percentChangeFromNadir: complete ? percentChange(nadir.tenths, S) : null,
    changeFromNadirMm: complete ? tenthsToMm(S - nadir.tenths) : null,
  };
}

/** Primer 4.3 / 9.1: only complete sums update the nadir; the earliest of equal sums is kept. */
export function nextNadir(nadir: Nadir, measurement: TargetMeasurement | null, label: string): Nadir {
  if (measurement === null || !measurement.complete) return nadir;
  return measurement.sumTenths < nadir.tenths ? { tenths: measurement.sumTenths, at: label } : nadir;
}

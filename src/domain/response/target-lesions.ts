// Target lesions at a timepoint: what each reading adds to the sum (primer section 3) and the target category
// response (primer 4.1, 4.3, 4.4). Shared by RECIST 1.1 and iRECIST (primer 9.1: the same rules apply).
import { assertNever } from './assert-never.js';
import type { BaselineTargetInput, TargetReadingInput } from './response-input.js';
import type { ReasonCode, ReviewFlag, TargetResponse } from './response-values.js';
import {
  formatMm,
  formatPercent,
  formatSignedMm,
  meetsPartialResponse,
  meetsProgression,
  NORMAL_NODE_BELOW_TENTHS,
  percentChange,
  toTenths,
  TOO_SMALL_TENTHS,
  type Tenths,
} from './tenths-of-millimetre.js';

export interface TargetLesionValue {
  readonly id: string;
  readonly nodal: boolean;
  readonly status: TargetReadingInput['status'];
  /** What the lesion adds to the sum; null when not evaluated. */
  readonly tenths: Tenths | null;
}

export interface TargetMeasurement {
  readonly values: readonly TargetLesionValue[];
  /** Sum of the evaluated lesions. */
  readonly sumTenths: Tenths;
  readonly complete: boolean;
  readonly notEvaluated: readonly string[];
  /** Primer 4.1 / 4.4: every non-nodal target 0 mm and every target node < 10 mm, all evaluated. */
  readonly crCriteriaMet: boolean;
}

/** Where the nadir was recorded: 'baseline' or a timepoint label. */
export interface Nadir {
  readonly tenths: Tenths;
  readonly at: string;
}

/** Primer section 3: the value each reading adds to the sum. */
export function readingTenths(reading: TargetReadingInput): Tenths | null {
  switch (reading.status) {
    case 'measured':
      return toTenths(reading.diameterMm); // the real value, even 2 mm; nodes by short axis even < 10 mm
    case 'too_small':
      return TOO_SMALL_TENTHS; // seen but not measurable: 5 mm, nodes included
    case 'disappeared':
      return 0;
    case 'not_evaluated':
      return null;
    case 'split':
      return reading.fragmentsMm.reduce((s, f) => s + toTenths(f), 0); // every fragment, not the largest only
    case 'coalesced':
      return 0; // the merged mass is measured once, on the host lesion
    default:
      return assertNever(reading);
  }
}

export function measureTargets(
  baselineTargets: readonly BaselineTargetInput[],
  readings: readonly TargetReadingInput[],
): TargetMeasurement {
  const byId = new Map(readings.map((r) => [r.id, r]));
  const values: TargetLesionValue[] = baselineTargets.map((t) => {
    const r = byId.get(t.id);
    // Validation guarantees a reading per target at assessed timepoints.
    if (!r) throw new Error(`no reading for target ${t.id}`);
    return { id: t.id, nodal: t.nodal, status: r.status, tenths: readingTenths(r) };
  });
  const notEvaluated = values.filter((v) => v.tenths === null).map((v) => v.id);
  const sumTenths = values.reduce((s, v) => s + (v.tenths ?? 0), 0);
  const complete = notEvaluated.length === 0;
  const crCriteriaMet =
    complete &&
    values.every((v) => (v.nodal ? (v.tenths as Tenths) < NORMAL_NODE_BELOW_TENTHS : v.tenths === 0));
  return { values, sumTenths, complete, notEvaluated, crCriteriaMet };
}

export interface TargetAssessment {
  readonly response: TargetResponse;
  readonly reason: ReasonCode;
  readonly flags: readonly ReviewFlag[];
  readonly explanation: string;
}

/**
 * Target category response (primer 4.1): CR first, then PD against the nadir, then PR against the baseline, else
 * SD. With targets not evaluated (4.3): PD when the evaluated ones already meet PD, otherwise NE.
 */
export function assessTargets(
  measurement: TargetMeasurement | null,
  baselineTenths: Tenths,
  nadir: Nadir,
): TargetAssessment {
  if (measurement === null) {
    return { response: 'NA', reason: 'NO_TARGETS', flags: [], explanation: 'NA: none at baseline' };
  }
  const S = measurement.sumTenths;
  const vsNadir = describeVsNadir(S, nadir);

  if (!measurement.complete) {
    const missing = measurement.notEvaluated.join(', ');
    // Primer 4.3: sizes cannot be negative, so missing lesions cannot undo PD shown by the others.
    if (meetsProgression(S, nadir.tenths)) {
      return {
        response: 'PD',
        reason: 'MISSING_TARGET_BUT_PD',
        flags: [],
        explanation: `PD: ${missing} not evaluated, but the others already sum ${formatMm(S)}, ${vsNadir}`,
      };
    }
    return {
      response: 'NE',
      reason: 'MISSING_TARGET_NE',
      flags: [],
      explanation: `NE: ${missing} not evaluated; partial sum ${formatMm(S)} does not show PD (${vsNadir})`,
    };
  }

  if (measurement.crCriteriaMet) {
    // Primer 13.4: nodes growing while still < 10 mm stay CR, flagged for review.
    const flags: ReviewFlag[] = meetsProgression(S, nadir.tenths) ? ['NODES_GROWING_WHILE_NORMAL'] : [];
    const nodes = measurement.values.filter((v) => v.nodal);
    return {
      response: 'CR',
      reason: 'TARGET_CR',
      flags,
      explanation:
        `CR: every non-nodal target 0 mm` +
        (nodes.length > 0 ? ` and every target node < 10 mm (${nodes.map((n) => `${n.id} ${formatMm(n.tenths ?? 0)}`).join(', ')}; sum ${formatMm(S)})` : '') +
        (flags.length > 0 ? `; flagged: sum is ${vsNadir} although every node is normal` : ''),
    };
  }
  if (meetsProgression(S, nadir.tenths)) {
    return { response: 'PD', reason: 'TARGET_PD_FROM_NADIR', flags: [], explanation: `PD: sum ${formatMm(S)} is ${vsNadir}` };
  }
  const vsBaseline = `${formatPercent(percentChange(baselineTenths, S))} from baseline ${formatMm(baselineTenths)}`;
  if (meetsPartialResponse(S, baselineTenths)) {
    return {
      response: 'PR',
      reason: 'TARGET_PR_FROM_BASELINE',
      flags: [],
      explanation: `PR: sum ${formatMm(S)} is ${vsBaseline} (PR needs <= -30%); not PD: ${vsNadir}`,
    };
  }
  return {
    response: 'SD',
    reason: 'TARGET_SD',
    flags: [],
    explanation: `SD: sum ${formatMm(S)} is ${vsBaseline} (PR needs <= -30%) and ${vsNadir} (PD needs >= +20% and >= +5 mm)`,
  };
}

function describeVsNadir(S: Tenths, nadir: Nadir): string {
  const at = nadir.at === 'baseline' ? '(baseline)' : `at ${nadir.at}`;
  const relation = S >= nadir.tenths ? 'over' : 'vs';
  return `${formatPercent(percentChange(nadir.tenths, S))} and ${formatSignedMm(S - nadir.tenths)} ${relation} nadir ${formatMm(nadir.tenths)} ${at}`;
}

// RECIST 1.1 timepoint response from the three categories (primer section 7: Tables 1 and 2), and the
// reappearance-after-CR rule (primer section 6, Table 3 footnote, FAQ "Abnormal lymph node").
import { assertNever } from './assert-never.js';
import type { BaselineNonTargetInput, NonTargetReadingInput } from './response-input.js';
import type { NonTargetResponse, OverallResponse, ReasonCode, TargetResponse } from './response-values.js';
import type { TargetMeasurement } from './target-lesions.js';
import { formatMm, NODAL_TARGET_MIN_TENTHS, NORMAL_NODE_BELOW_TENTHS } from './tenths-of-millimetre.js';

export interface Reappearance {
  /** Human-readable evidence, one entry per reappeared lesion. */
  readonly evidence: readonly string[];
  /** Primer 6 / 13.3: a single node below 15 mm is the only evidence: flag for review. */
  readonly singleSmallNodeOnly: boolean;
  /** Which categories the reappeared lesions belong to (iRECIST records the iUPD triggers, primer 9.3). */
  readonly inTargets: boolean;
  readonly inNonTargets: boolean;
}

/**
 * Lesions that have "reappeared" in the FAQ's sense (primer 6): a non-nodal target above 0 mm (too small
 * included), a target node back at >= 10 mm, a non-nodal non-target present again, a nodal non-target only on
 * unequivocal progression. Returns null when nothing reappeared (lesions not evaluated prove nothing).
 */
export function findReappearance(
  measurement: TargetMeasurement | null,
  baselineNonTargets: readonly BaselineNonTargetInput[],
  nonTargetReadings: readonly NonTargetReadingInput[],
): Reappearance | null {
  const evidence: string[] = [];
  let smallNodes = 0;
  let inTargets = false;
  let inNonTargets = false;
  for (const v of measurement?.values ?? []) {
    if (v.tenths === null) continue;
    if (v.nodal && v.tenths >= NORMAL_NODE_BELOW_TENTHS) {
      evidence.push(`target node ${v.id} back at ${formatMm(v.tenths)} (>= 10 mm)`);
      inTargets = true;
      if (v.tenths < NODAL_TARGET_MIN_TENTHS) smallNodes++;
    } else if (!v.nodal && v.tenths > 0) {
      evidence.push(`target ${v.id} back at ${v.status === 'too_small' ? 'too small (5 mm)' : formatMm(v.tenths)}`);
      inTargets = true;
    }
  }
  const nodalNt = new Map(baselineNonTargets.map((n) => [n.id, n.nodal]));
  for (const r of nonTargetReadings) {
    const nodal = nodalNt.get(r.id) ?? false;
    if (nodal ? r.status === 'unequivocal_progression' : r.status === 'present' || r.status === 'unequivocal_progression') {
      evidence.push(`non-target ${r.id} ${r.status === 'present' ? 'present again' : 'unequivocally progressed'}`);
      inNonTargets = true;
    }
  }
  if (evidence.length === 0) return null;
  return { evidence, singleSmallNodeOnly: evidence.length === 1 && smallNodes === 1, inTargets, inNonTargets };
}

export interface TimepointInputs {
  readonly target: TargetResponse;
  readonly nonTarget: NonTargetResponse;
  readonly newLesion: boolean;
  /** Reappearance when the previous evaluable timepoint was an overall CR and the option is on; else null. */
  readonly reappearanceAfterCR: Reappearance | null;
}

export interface TimepointResult {
  readonly overall: OverallResponse;
  readonly reason: ReasonCode;
}

/** RECIST 1.1 Table 1 (targets at baseline) or Table 2 (non-target disease only). Any PD wins (primer 7). */
export function combineRecist11(c: TimepointInputs): TimepointResult {
  if (c.target === 'PD') return { overall: 'PD', reason: 'TARGET_PD_FROM_NADIR' };
  if (c.nonTarget === 'PD') return { overall: 'PD', reason: 'NT_UNEQUIVOCAL' };
  if (c.newLesion) return { overall: 'PD', reason: 'NEW_LESION' };
  if (c.reappearanceAfterCR) return { overall: 'PD', reason: 'REAPPEARANCE_AFTER_CR' };
  return c.target === 'NA' ? table2(c.nonTarget) : { overall: table1(c.target, c.nonTarget), reason: 'TABLE_1' };
}

/** Table 1 rows without PD or new lesions. */
function table1(target: Exclude<TargetResponse, 'NA'>, nonTarget: Exclude<NonTargetResponse, 'PD'>): OverallResponse {
  switch (target) {
    case 'NE':
      return 'NE'; // not all evaluated, PD not shown
    case 'CR':
      switch (nonTarget) {
        case 'CR':
        case 'NA': // no non-targets at baseline
          return 'CR';
        case 'NON_CR_NON_PD':
        case 'NE': // targets CR, non-targets not all evaluated
          return 'PR';
        default:
          return assertNever(nonTarget);
      }
    case 'PR':
      return 'PR'; // with CR, non-CR/non-PD, NE or no non-targets
    case 'SD':
      return 'SD';
    case 'PD':
      return 'PD'; // handled above; kept for exhaustiveness
    default:
      return assertNever(target);
  }
}

/** Table 2: non-target disease only. Without any baseline disease only a new lesion can decide (NE otherwise). */
function table2(nonTarget: Exclude<NonTargetResponse, 'PD'>): TimepointResult {
  switch (nonTarget) {
    case 'CR':
      return { overall: 'CR', reason: 'TABLE_2' };
    case 'NON_CR_NON_PD':
      return { overall: 'NON_CR_NON_PD', reason: 'TABLE_2' };
    case 'NE':
    case 'NA':
      return { overall: 'NE', reason: 'TABLE_2' };
    default:
      return assertNever(nonTarget);
  }
}

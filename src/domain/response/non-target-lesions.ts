// Non-target category response (primer section 5). "Unequivocal progression" is the reader's judgement and
// arrives as a status; the engine never infers it.
import type { BaselineNonTargetInput, NonTargetReadingInput } from './response-input.js';
import type { NonTargetResponse, ReasonCode } from './response-values.js';

export interface TumourMarkerState {
  /** The protocol lists markers for CR (option tumourMarkersForCR). */
  readonly used: boolean;
  /** The follow-up's record: all markers normal (true), not (false), or not recorded (null). */
  readonly normal: boolean | null;
}

export interface NonTargetAssessment {
  readonly response: NonTargetResponse;
  readonly reason: ReasonCode;
  readonly explanation: string;
}

export function assessNonTargets(
  baselineNonTargets: readonly BaselineNonTargetInput[],
  readings: readonly NonTargetReadingInput[],
  markers: TumourMarkerState,
): NonTargetAssessment {
  const ids = (status: NonTargetReadingInput['status']) => readings.filter((r) => r.status === status).map((r) => r.id);
  const progressed = ids('unequivocal_progression');
  const notEvaluated = ids('not_evaluated');
  const present = ids('present');

  if (baselineNonTargets.length === 0) {
    // Markers still stand in the way of CR when the protocol uses them (primer 5), even without non-targets.
    if (markers.used && markers.normal === false) {
      return { response: 'NON_CR_NON_PD', reason: 'TUMOUR_MARKERS_ABOVE_NORMAL', explanation: 'non-CR/non-PD: no non-targets, but tumour markers above normal' };
    }
    if (markers.used && markers.normal === null) {
      return { response: 'NE', reason: 'TUMOUR_MARKERS_NOT_RECORDED', explanation: 'NE: no non-targets; tumour markers not recorded' };
    }
    return { response: 'NA', reason: 'NO_NON_TARGETS', explanation: 'NA: none at baseline' };
  }
  if (progressed.length > 0) {
    return { response: 'PD', reason: 'NT_UNEQUIVOCAL', explanation: `PD: unequivocal progression of ${progressed.join(', ')}` };
  }
  if (notEvaluated.length > 0) {
    return { response: 'NE', reason: 'NT_NOT_EVALUATED', explanation: `NE: ${notEvaluated.join(', ')} not evaluated` };
  }
  if (present.length > 0) {
    return { response: 'NON_CR_NON_PD', reason: 'NT_PRESENT', explanation: `non-CR/non-PD: ${present.join(', ')} present` };
  }
  // Every non-target absent (nodes < 10 mm short axis). Markers must be normal too where used (primer 5).
  if (markers.used && markers.normal === false) {
    return {
      response: 'NON_CR_NON_PD',
      reason: 'TUMOUR_MARKERS_ABOVE_NORMAL',
      explanation: 'non-CR/non-PD: every non-target absent but tumour markers above normal',
    };
  }
  if (markers.used && markers.normal === null) {
    return { response: 'NE', reason: 'TUMOUR_MARKERS_NOT_RECORDED', explanation: 'NE: every non-target absent; tumour markers not recorded' };
  }
  return { response: 'CR', reason: 'NT_ALL_ABSENT', explanation: `CR: every non-target absent (${readings.map((r) => r.id).join(', ')})` };
}

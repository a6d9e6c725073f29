// Best overall response (primer section 8 for RECIST 1.1, 9.8 for iRECIST) and the related dates (8.4, 9.8).
import type { ResponseOptions } from './response-options.js';
import type { IrecistResponse, OverallResponse } from './response-values.js';
import { findConfirmation, type ConfirmationRules, type ResponseAt, type ResponseLevel } from './response-confirmation.js';

export interface BorResult<R> {
  readonly response: R;
  readonly date: string | null;
  readonly firstResponseDate: string | null;
  readonly explanation: string;
}

interface SdContext {
  /** Day number of the SD reference (treatment start, randomisation or baseline scan). */
  readonly referenceDay: number;
  readonly referenceDate: string;
  readonly minDays: number;
}

const atLeastSd = (r: ResponseAt) => r.level === 'CR' || r.level === 'PR' || r.level === 'SD' || r.level === 'NON_CR_NON_PD';

/** Primer 8.1: SD (or a CR/PR, which shows at least SD) counts once it lies >= minDays after the reference (inclusive). */
function firstSdQualifying(seq: readonly ResponseAt[], sd: SdContext, levels: (r: ResponseAt) => boolean): ResponseAt | undefined {
  return seq.find((r) => levels(r) && r.day - sd.referenceDay >= sd.minDays);
}

function sdText(sd: SdContext): string {
  return `${sd.minDays} days after ${sd.referenceDate}`;
}

/**
 * RECIST 1.1 BOR over the RECIST timepoints (which already stop at the first PD, primer 7.3).
 * `hasTargets` decides whether the SD level is called SD or non-CR/non-PD (Table 2 subjects).
 */
export function recist11BestOverallResponse(
  seq: readonly ResponseAt[],
  options: ResponseOptions,
  sd: SdContext,
  hasTargets: boolean,
): BorResult<OverallResponse> & { progressionDate: string | null } {
  const sdLevel: OverallResponse = hasTargets ? 'SD' : 'NON_CR_NON_PD';
  const pd = seq.find((r) => r.level === 'PD');
  const progressionDate = pd?.date ?? null;
  const rules: ConfirmationRules = { ...options.confirmation, updBreaks: true };

  if (!options.confirmation.required) {
    // Primer 8.2: the best timepoint response.
    const firstResponse = seq.find((r) => r.level === 'CR' || r.level === 'PR');
    const cr = seq.find((r) => r.level === 'CR');
    if (cr) return { response: 'CR', date: cr.date, firstResponseDate: firstResponse?.date ?? null, progressionDate, explanation: `CR at ${cr.label} (confirmation not required)` };
    const pr = seq.find((r) => r.level === 'PR');
    if (pr) return { response: 'PR', date: pr.date, firstResponseDate: pr.date, progressionDate, explanation: `PR at ${pr.label} (confirmation not required)` };
    const sdTp = firstSdQualifying(seq, sd, (r) => r.level === 'SD' || r.level === 'NON_CR_NON_PD');
    if (sdTp) return { response: sdLevel, date: sdTp.date, firstResponseDate: null, progressionDate, explanation: `${sdLevel} at ${sdTp.label}, >= ${sdText(sd)}` };
    return fallback(seq, pd, undefined, sd, progressionDate);
  }

  // Primer 8.3, RECIST 1.1 Table 3.
  const confirmedAt = (level: 'CR' | 'PR') => {
    for (let i = 0; i < seq.length; i++) {
      if (seq[i].level !== level) continue;
      const c = findConfirmation(seq, i, rules);
      if (c.confirmedBy) return { tp: seq[i], why: c.why };
    }
    return undefined;
  };
  const firstConfirmedResponse = (() => {
    for (let i = 0; i < seq.length; i++) {
      if ((seq[i].level === 'CR' || seq[i].level === 'PR') && findConfirmation(seq, i, rules).confirmedBy) return seq[i];
    }
    return undefined;
  })();
  const firstResponseDate = firstConfirmedResponse?.date ?? null;
  const cr = confirmedAt('CR');
  if (cr) return { response: 'CR', date: cr.tp.date, firstResponseDate, progressionDate, explanation: cr.why };
  const pr = confirmedAt('PR');
  if (pr) return { response: 'PR', date: pr.tp.date, firstResponseDate, progressionDate, explanation: pr.why };

  // Table 3 footnote (primer 13.2): after an unconfirmed CR, a later PR / SD (disease seen again) counts as PD.
  const firstCr = seq.findIndex((r) => r.level === 'CR');
  const cutIndex =
    firstCr < 0 ? -1 : seq.findIndex((r, i) => i > firstCr && (r.level === 'PR' || r.level === 'SD' || r.level === 'NON_CR_NON_PD'));
  const cut = cutIndex >= 0 ? seq[cutIndex] : undefined;
  const window = cutIndex >= 0 ? seq.slice(0, cutIndex) : seq;
  const unconfirmed = seq.filter((r) => r.level === 'CR' || r.level === 'PR').map((r) => `${r.level} at ${r.label}`);
  const note = unconfirmed.length > 0 ? ` (${unconfirmed.join(', ')} not confirmed)` : '';
  const sdTp = firstSdQualifying(window, sd, atLeastSd);
  if (sdTp) {
    return {
      response: sdLevel,
      date: sdTp.date,
      firstResponseDate: null,
      progressionDate,
      explanation: `${sdLevel}: ${sdTp.level} at ${sdTp.label} is >= ${sdText(sd)}${note}`,
    };
  }
  return fallback(seq, pd, cut, sd, progressionDate, note);
}

function fallback(
  seq: readonly ResponseAt[],
  pd: ResponseAt | undefined,
  cut: ResponseAt | undefined,
  sd: SdContext,
  progressionDate: string | null,
  note = '',
): BorResult<OverallResponse> & { progressionDate: string | null } {
  const early = seq.some(atLeastSd) ? `; no SD-level timepoint >= ${sdText(sd)}` : '';
  if (pd) return { response: 'PD', date: pd.date, firstResponseDate: null, progressionDate, explanation: `PD at ${pd.label}${early}${note}` };
  if (cut) {
    return {
      response: 'PD',
      date: cut.date,
      firstResponseDate: null,
      progressionDate,
      explanation: `PD: ${cut.level} at ${cut.label} after an unconfirmed CR counts as progression (Table 3 footnote)${early}${note}`,
    };
  }
  return { response: 'NE', date: null, firstResponseDate: null, progressionDate, explanation: `NE: no evaluable response${early}${note}` };
}

/**
 * iBOR (primer 9.8): the best iRECIST timepoint response up to and including the first iCPD; iUPD does not stop
 * the search. Order iCR > iPR > iSD / non-iCR/non-iUPD (SD minimum duration) > iCPD > iUPD > NE.
 */
export function irecistBestOverallResponse(
  seq: readonly ResponseAt[],
  options: ResponseOptions,
  sd: SdContext,
  hasTargets: boolean,
): BorResult<IrecistResponse> {
  const sdLevel: IrecistResponse = hasTargets ? 'iSD' : 'NON_iCR_NON_iUPD';
  const rules: ConfirmationRules = { ...options.confirmation, updBreaks: options.irecist.iupdBreaksConfirmation, name: (l) => iName(l) };
  const required = options.confirmation.required;
  const confirmedFirst = (levels: readonly string[]) => {
    for (let i = 0; i < seq.length; i++) {
      if (!levels.includes(seq[i].level)) continue;
      if (!required) return { tp: seq[i], why: `${iName(seq[i].level)} at ${seq[i].label} (confirmation not required)` };
      const c = findConfirmation(seq, i, rules);
      if (c.confirmedBy) return { tp: seq[i], why: c.why };
    }
    return undefined;
  };
  const firstResponse = confirmedFirst(['CR', 'PR']);
  const firstResponseDate = firstResponse?.tp.date ?? null;
  const cr = confirmedFirst(['CR']);
  if (cr) return { response: 'iCR', date: cr.tp.date, firstResponseDate, explanation: cr.why };
  const pr = confirmedFirst(['PR']);
  if (pr) return { response: 'iPR', date: pr.tp.date, firstResponseDate, explanation: pr.why };
  // Without confirmation only SD-level timepoints remain here; with it, unconfirmed iCR / iPR show at least iSD.
  const sdTp = firstSdQualifying(seq, sd, required ? atLeastSd : (r) => r.level === 'SD' || r.level === 'NON_CR_NON_PD');
  if (sdTp) return { response: sdLevel, date: sdTp.date, firstResponseDate: null, explanation: `${sdLevel}: ${iName(sdTp.level)} at ${sdTp.label} is >= ${sdText(sd)}` };
  const early = seq.some(atLeastSd) ? `; no iSD-level timepoint >= ${sdText(sd)}` : '';
  const cpd = seq.find((r) => r.level === 'PD');
  if (cpd) return { response: 'iCPD', date: cpd.date, firstResponseDate: null, explanation: `iCPD at ${cpd.label}${early}` };
  const upd = seq.find((r) => r.level === 'UPD');
  if (upd) return { response: 'iUPD', date: upd.date, firstResponseDate: null, explanation: `iUPD at ${upd.label}, never confirmed${early}` };
  return { response: 'NE', date: null, firstResponseDate: null, explanation: `NE: no evaluable response${early}` };
}

function iName(level: ResponseLevel): string {
  switch (level) {
    case 'NON_CR_NON_PD':
      return 'non-iCR/non-iUPD';
    case 'UPD':
      return 'iUPD';
    case 'PD':
      return 'iCPD';
    case 'NE':
      return 'NE';
    default:
      return `i${level}`;
  }
}

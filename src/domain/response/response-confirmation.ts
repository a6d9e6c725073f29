// Confirmation of CR / PR (primer 8.3, RECIST 1.1 Table 3; iRECIST 9.8) over a sequence of timepoint responses,
// shared by RECIST 1.1 BOR, iBOR and the `sticky` PR persistence option (primer 7.4: "established" PR).
import type { ConfirmationOptions } from './response-options.js';

/** Timepoint responses reduced to what confirmation and BOR need. UPD is iRECIST's unconfirmed progression. */
export type ResponseLevel = 'CR' | 'PR' | 'SD' | 'NON_CR_NON_PD' | 'PD' | 'UPD' | 'NE';

export interface ResponseAt {
  readonly label: string;
  readonly date: string;
  /** Calendar day number (calendar-date.ts). */
  readonly day: number;
  readonly level: ResponseLevel;
}

export interface ConfirmationRules extends ConfirmationOptions {
  /** iRECIST 9.8 / 13.11: an iUPD between a response and its confirmation breaks it (true) or is skipped. */
  readonly updBreaks: boolean;
  /** How levels are named in explanations (iRECIST: iCR, iPR...). */
  readonly name?: (level: ResponseLevel) => string;
}

export interface Confirmation {
  readonly confirmedBy: ResponseAt | null;
  readonly why: string;
}

/**
 * Is the CR or PR at `index` confirmed by a later assessment at least minDays later (inclusive)?
 * A CR is confirmed by a CR, a PR by a PR or CR (primer 8.3). Between them: same-or-better responses that are too
 * early, at most maxInterveningNE NE, SD only after a PR and only with acceptInterveningSD; PD ends the search.
 */
export function findConfirmation(seq: readonly ResponseAt[], index: number, rules: ConfirmationRules): Confirmation {
  const first = seq[index];
  const n = rules.name ?? ((l: ResponseLevel) => l);
  if (first.level !== 'CR' && first.level !== 'PR') {
    return { confirmedBy: null, why: `${n(first.level)} at ${first.label} is not a response` };
  }
  let ne = 0;
  for (let j = index + 1; j < seq.length; j++) {
    const r = seq[j];
    const qualifies = first.level === 'CR' ? r.level === 'CR' : r.level === 'PR' || r.level === 'CR';
    if (qualifies) {
      const days = r.day - first.day;
      if (days >= rules.minDays) return { confirmedBy: r, why: `${n(first.level)} at ${first.label} confirmed by ${n(r.level)} at ${r.label}, ${days} days later (>= ${rules.minDays})` };
      continue; // too early to confirm, but does not break the chain
    }
    switch (r.level) {
      case 'NE':
        ne++;
        if (ne > rules.maxInterveningNE) {
          return { confirmedBy: null, why: `${n(first.level)} at ${first.label} not confirmed: ${ne} NE assessments before confirmation (max ${rules.maxInterveningNE})` };
        }
        continue;
      case 'UPD':
        if (!rules.updBreaks) continue;
        return { confirmedBy: null, why: `${n(first.level)} at ${first.label} not confirmed: ${n(r.level)} at ${r.label} intervened` };
      case 'SD':
        if (first.level === 'PR' && rules.acceptInterveningSD) continue;
        return { confirmedBy: null, why: `${n(first.level)} at ${first.label} not confirmed: SD at ${r.label} intervened` };
      default:
        // PD, or disease seen again after a CR (PR, non-CR/non-PD): the chain is broken.
        return { confirmedBy: null, why: `${n(first.level)} at ${first.label} not confirmed: ${n(r.level)} at ${r.label}` };
    }
  }
  return { confirmedBy: null, why: `${n(first.level)} at ${first.label} not confirmed: no later qualifying assessment >= ${rules.minDays} days later` };
}

/** The first CR or PR (per `levels`) at or after which a confirmation exists within seq; -1 when none. */
export function firstConfirmedIndex(
  seq: readonly ResponseAt[],
  levels: readonly ('CR' | 'PR')[],
  rules: ConfirmationRules,
): number {
  return seq.findIndex((r, i) => (levels as readonly ResponseLevel[]).includes(r.level) && findConfirmation(seq, i, rules).confirmedBy !== null);
}

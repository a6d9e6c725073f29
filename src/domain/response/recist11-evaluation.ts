// RECIST 1.1 over one subject's timepoints, in date order: the nadir (complete sums only, primer 4.3), each
// timepoint's categories and overall response (Tables 1/2, section 7), the reappearance rule (section 6), the
// `sticky` PR option (7.4), and the stop at the first PD (7.3).
import { toDayNumber } from './calendar-date.js';
import { baselineSumTenths } from './baseline-check.js';
import { assessNonTargets, type NonTargetAssessment } from './non-target-lesions.js';
import { findConfirmation, type ResponseAt } from './response-confirmation.js';
import type { ValidatedFollowup, ValidatedSubject } from './response-input.js';
import type { Recist11Timepoint } from './response-output.js';
import type { OverallResponse, ReasonCode, ReviewFlag } from './response-values.js';
import { assessTargets, measureTargets, type Nadir, type TargetAssessment, type TargetMeasurement } from './target-lesions.js';
import { nextNadir, targetSumFacts } from './timepoint-facts.js';
import { combineRecist11, findReappearance, type Reappearance } from './timepoint-response.js';

export interface Recist11Run {
  /** Aligned with the follow-ups; null after the first PD. */
  readonly timepoints: readonly (Recist11Timepoint | null)[];
  /** The evaluated timepoints as a response sequence, for BOR. */
  readonly sequence: readonly ResponseAt[];
}

/** The categories of one assessed timepoint, common to RECIST 1.1 and iRECIST (primer 9.1). */
export interface CategoryAssessment {
  readonly measurement: TargetMeasurement | null;
  readonly target: TargetAssessment;
  readonly nonTarget: NonTargetAssessment;
}

export function assessCategories(subject: ValidatedSubject, followup: ValidatedFollowup, nadir: Nadir): CategoryAssessment {
  const { baseline, options } = subject;
  const measurement = baseline.targets.length > 0 ? measureTargets(baseline.targets, followup.targets) : null;
  const target = assessTargets(measurement, baselineSumTenths(baseline), nadir);
  const nonTarget = assessNonTargets(baseline.nonTargets, followup.nonTargets, {
    used: options.tumourMarkersForCR.length > 0,
    normal: followup.tumourMarkersNormal,
  });
  return { measurement, target, nonTarget };
}

export function evaluateRecist11(subject: ValidatedSubject): Recist11Run {
  const { baseline, options } = subject;
  const hasTargets = baseline.targets.length > 0;
  const baselineTenths = hasTargets ? baselineSumTenths(baseline) : null;
  const targetIds = baseline.targets.map((t) => t.id);
  let nadir: Nadir = { tenths: baselineTenths ?? 0, at: 'baseline' };
  let previousEvaluable: OverallResponse | null = null;
  let previousEvaluableLabel = '';
  let stopped = false;
  const timepoints: (Recist11Timepoint | null)[] = [];
  const sequence: ResponseAt[] = [];

  for (const f of subject.followups) {
    if (stopped) {
      timepoints.push(null); // primer 7.3: no RECIST 1.1 response after PD, not even "PD"
      continue;
    }
    const nadirUsed = hasTargets ? nadir : null;
    let tp: Recist11Timepoint;
    if (!f.assessed) {
      tp = {
        ...targetSumFacts(null, baselineTenths, nadirUsed, targetIds),
        target: hasTargets ? 'NE' : 'NA',
        nonTarget: baseline.nonTargets.length > 0 ? 'NE' : 'NA',
        newLesions: false,
        overall: 'NE',
        reasons: ['NO_IMAGING'],
        flags: [],
        explanation: `NE: no imaging at ${f.label}`,
        targetExplanation: 'not imaged',
        nonTargetExplanation: 'not imaged',
        newLesionExplanation: 'not imaged',
      };
    } else {
      const c = assessCategories(subject, f, nadir);
      const newIds = f.newLesions.filter((n) => n.status === 'present').map((n) => `${n.id} (${n.organ})`);
      // Primer 6: after an overall CR (confirmed or not) at the previous evaluable timepoint, reappearance is PD.
      const reappearance: Reappearance | null =
        options.pdOnReappearanceAfterCR && previousEvaluable === 'CR'
          ? findReappearance(c.measurement, baseline.nonTargets, f.nonTargets)
          : null;
      const combined = combineRecist11({
        target: c.target.response,
        nonTarget: c.nonTarget.response,
        newLesion: newIds.length > 0,
        reappearanceAfterCR: reappearance,
      });
      let overall = combined.overall;
      let decisive: ReasonCode = combined.reason === 'TARGET_PD_FROM_NADIR' ? c.target.reason : combined.reason;
      let prefix = '';
      // Primer 7.4: with `sticky`, an established PR continues while the numbers say SD.
      if (overall === 'SD' && options.prPersistence === 'sticky') {
        const established = responseEstablished(sequence, subject);
        if (established) {
          overall = 'PR';
          decisive = 'PR_CONTINUING';
          prefix = `PR continuing (prPersistence sticky; ${established}): `;
        }
      }
      const flags: ReviewFlag[] = [...c.target.flags];
      if (reappearance?.singleSmallNodeOnly) flags.push('REAPPEARANCE_SINGLE_SMALL_NODE');
      const newLesionExplanation = newIds.length > 0 ? `new lesion(s) ${newIds.join(', ')}` : 'no new lesions';
      const parts = [`target ${c.target.explanation}`, `non-target ${c.nonTarget.explanation}`, newLesionExplanation];
      const lead =
        decisive === 'NEW_LESION'
          ? `PD: unequivocal ${newLesionExplanation}`
          : decisive === 'REAPPEARANCE_AFTER_CR'
            ? `PD: reappearance after overall CR at ${previousEvaluableLabel}: ${reappearance?.evidence.join('; ')}`
            : `${prefix}${overall}${decisive === 'TABLE_2' ? ' (Table 2)' : decisive === 'TABLE_1' ? ' (Table 1)' : ''}`;
      tp = {
        ...targetSumFacts(c.measurement, baselineTenths, nadirUsed, targetIds),
        target: c.target.response,
        nonTarget: c.nonTarget.response,
        newLesions: newIds.length > 0,
        overall,
        reasons: unique([decisive, c.target.reason, c.nonTarget.reason, ...(newIds.length > 0 ? ['NEW_LESION' as const] : [])]),
        flags,
        explanation: `${lead} at ${f.label}; ${parts.join('; ')}`,
        targetExplanation: c.target.explanation,
        nonTargetExplanation: c.nonTarget.explanation,
        newLesionExplanation,
      };
      nadir = nextNadir(nadir, c.measurement, f.label);
    }
    timepoints.push(tp);
    sequence.push({ label: f.label, date: f.date, day: toDayNumber(f.date) as number, level: tp.overall });
    if (tp.overall !== 'NE') {
      previousEvaluable = tp.overall;
      previousEvaluableLabel = f.label;
    }
    if (tp.overall === 'PD') stopped = true;
  }
  return { timepoints, sequence };
}

/**
 * Primer 7.4: a response is "established" once a CR or PR occurred, or, when confirmation is required, once one
 * has been confirmed by an assessment already made. Returns a short description, or null.
 */
export function responseEstablished(prior: readonly ResponseAt[], subject: ValidatedSubject): string | null {
  const { confirmation } = subject.options;
  for (let i = 0; i < prior.length; i++) {
    const r = prior[i];
    if (r.level !== 'CR' && r.level !== 'PR') continue;
    if (!confirmation.required) return `${r.level} at ${r.label}`;
    const c = findConfirmation(prior, i, { ...confirmation, updBreaks: subject.options.irecist.iupdBreaksConfirmation });
    if (c.confirmedBy) return `${r.level} at ${r.label} confirmed at ${c.confirmedBy.label}`;
  }
  return null;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

// The engine's entry point: one subject, one read -> baseline check, every timepoint's RECIST 1.1 (and iRECIST)
// response with its explanation, best overall responses and the dates exports need. Pure: no I/O, no clock.
import { checkBaseline } from './baseline-check.js';
import { recist11BestOverallResponse, irecistBestOverallResponse } from './best-overall-response.js';
import { toDayNumber } from './calendar-date.js';
import { evaluateIrecist } from './irecist-evaluation.js';
import { evaluateRecist11 } from './recist11-evaluation.js';
import type { SubjectResponseInput, ValidatedSubject } from './response-input.js';
import { RESPONSE_RULESET_VERSION, type SubjectEvaluation, type TimepointEvaluation } from './response-output.js';
import { validateSubjectResponseInput } from './validate-response-input.js';

/**
 * Validates and evaluates one subject. Throws DomainError INVALID_RESPONSE_INPUT for inconsistent input; every
 * clinical outcome (NE, baseline violations) is a value in the result.
 */
export function evaluateSubjectResponse(input: SubjectResponseInput | unknown): SubjectEvaluation {
  return evaluateValidatedSubject(validateSubjectResponseInput(input));
}

export function evaluateValidatedSubject(subject: ValidatedSubject): SubjectEvaluation {
  const { options, baseline } = subject;
  const withIrecist = subject.criteria.includes('iRECIST');
  const hasTargets = baseline.targets.length > 0;

  // Primer 8.1: the SD minimum duration runs from the protocol's reference date; the baseline scan when the
  // protocol says so or when the subject's reference date is not supplied.
  const useSubjectDate = options.sdDurationReference !== 'baseline_scan' && subject.sdReferenceDate !== null;
  const sdReference = useSubjectDate
    ? { date: subject.sdReferenceDate as string, source: 'sdReferenceDate' as const }
    : { date: baseline.date, source: 'baseline_scan' as const };
  const sd = { referenceDay: toDayNumber(sdReference.date) as number, referenceDate: sdReference.date, minDays: options.sdMinDurationDays };

  const treatmentStart = options.sdDurationReference === 'treatment_start' ? subject.sdReferenceDate : null;
  const baselineCheck = checkBaseline(baseline, options, treatmentStart);

  const recist = evaluateRecist11(subject);
  const recistBor = recist11BestOverallResponse(recist.sequence, options, sd, hasTargets);
  const irecist = withIrecist ? evaluateIrecist(subject) : null;
  const irecistBor = irecist ? irecistBestOverallResponse(irecist.sequence, options, sd, hasTargets) : null;

  const timepoints: TimepointEvaluation[] = subject.followups.map((f, i) => {
    const base = { label: f.label, date: f.date, assessed: f.assessed, recist11: recist.timepoints[i] };
    if (!irecist) return base;
    let itp = irecist.timepoints[i];
    if (itp && irecist.newLesionViolations.some((v) => v.timepoint === f.label)) {
      itp = { ...itp, flags: [...itp.flags, 'NEW_LESION_DESIGNATION_VIOLATION'] };
    }
    return { ...base, irecist: itp };
  });

  let irecistSummary: SubjectEvaluation['irecist'];
  let irecistProgressionDate: string | null = null;
  if (irecist) {
    const confirmed = irecist.episodes.find((e) => e.outcome === 'confirmed');
    // Primer 9.8 / 13.12: a reset iUPD gives no progression date; a confirmed one dates per the option.
    irecistProgressionDate = confirmed
      ? options.irecist.progressionDate === 'first_iupd_of_confirmed_episode'
        ? confirmed.openedOn
        : confirmed.closedOn
      : null;
    irecistSummary = {
      episodes: irecist.episodes,
      icpd: {
        confirmed: confirmed !== undefined,
        confirmedAt: confirmed?.closedAt ?? null,
        confirmedOn: confirmed?.closedOn ?? null,
        progressionDate: irecistProgressionDate,
      },
      newLesionViolations: irecist.newLesionViolations,
    };
  }

  return {
    ruleSetVersion: RESPONSE_RULESET_VERSION,
    subjectId: subject.subjectId,
    criteria: subject.criteria,
    options,
    sdReference,
    baseline: baselineCheck,
    timepoints,
    bestOverallResponse: {
      recist11: recistBor.response,
      ...(irecistBor && { irecist: irecistBor.response }),
      recist11Date: recistBor.date,
      recist11Explanation: recistBor.explanation,
      ...(irecistBor && { irecistDate: irecistBor.date, irecistExplanation: irecistBor.explanation }),
    },
    dates: {
      recist11: {
        firstResponseDate: recistBor.firstResponseDate,
        progressionDate: recistBor.progressionDate,
        bestOverallResponseDate: recistBor.date,
      },
      ...(irecistBor && {
        irecist: {
          firstResponseDate: irecistBor.firstResponseDate,
          progressionDate: irecistProgressionDate,
          bestOverallResponseDate: irecistBor.date,
        },
      }),
    },
    ...(irecistSummary && { irecist: irecistSummary }),
  };
}
